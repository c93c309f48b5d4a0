package proxy

import _ "embed"

// OpenAPI is the OpenAPI 3.1 description of the gateway's HTTP routes
// (POST /api/v1/messages, GET /api/v1/messages/{id}, GET|POST
// /cgi-bin/sendsms). Its paths are absolute and its schema names start
// with Gateway, so that the console's document merges its paths and
// components as they are (web.Options.OpenAPI).
//
//go:embed openapi.json
var OpenAPI []byte
