package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

var pathParam = regexp.MustCompile(`\{([a-z_]+)\}`)

// openAPI builds the OpenAPI 3.1 document of the registered routes: it is
// made from the same table the routes are registered from, so that no
// route goes undocumented.
func (s *Server) openAPI() map[string]any {
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		op := map[string]any{"summary": rt.summary, "operationId": opID(rt)}
		if len(rt.roles) > 0 {
			op["description"] = "Roles: " + rt.roles.String() + "."
			op["security"] = []map[string][]string{{"session": {}}}
		} else {
			op["security"] = []map[string][]string{}
		}
		var params []map[string]any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]string{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.doc, "schema": map[string]string{"type": "string"}})
		}
		if rt.method != "GET" && len(rt.roles) > 0 {
			params = append(params, map[string]any{"name": CSRFHeader, "in": "header", "required": true, "description": "the csrf_token of the session", "schema": map[string]string{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.body != "" {
			media := "application/json"
			if rt.body == "text/csv" {
				media = "text/csv"
			}
			op["requestBody"] = map[string]any{"required": true, "description": rt.body,
				"content": map[string]any{media: map[string]any{"schema": map[string]string{"type": "object"}}}}
		}
		produces := rt.produces
		if produces == "" {
			produces = "application/json"
		}
		content := map[string]any{}
		for _, m := range strings.Split(produces, ", ") {
			content[m] = map[string]any{}
		}
		op["responses"] = map[string]any{
			"200":     map[string]any{"description": "OK", "content": content},
			"default": map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]string{"$ref": "#/components/schemas/Error"}}}},
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Bawwab API", "version": "1",
			"description": "The console's API: log in with POST /api/v1/login, keep the session cookie, and send the csrf_token it returns in the " + CSRFHeader + " header of every write. Errors are JSON: {\"error\": {\"code\", \"reason\", \"message\", \"field\"}}; the code is one of invalid, unauthorized, forbidden, not_found, conflict, not_implemented, rate_limited, other_organisation (a provider's or operator's user named another one), internal; reason is the same value, the key under which the gateway (/api/v1/messages) and the subscriber API give theirs, so that a client reads error.reason across the whole API."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"session": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{"type": "object",
				"required": []string{"code", "reason", "message"},
				"properties": map[string]any{
					"code":    map[string]string{"type": "string", "description": "what went wrong: invalid, unauthorized, forbidden, not_found, conflict, not_implemented, rate_limited, other_organisation or internal"},
					"reason":  map[string]string{"type": "string", "description": "the same value as code, under the key of the gateway's and the subscriber API's errors"},
					"message": map[string]string{"type": "string", "description": "for people"},
					"field":   map[string]string{"type": "string", "description": "the input field at fault, if one is"}}}}}},
		},
	}
}

func opID(rt route) string {
	p := strings.TrimPrefix(rt.path, "/api/v1/")
	p = pathParam.ReplaceAllString(p, "by_$1")
	p = strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(p)
	return strings.ToLower(rt.method) + "_" + p
}

// buildOpenAPI is the console's document with the other parts' merged
// in; a path documented twice is an error, caught at start.
func (s *Server) buildOpenAPI() ([]byte, error) {
	doc := s.openAPI()
	paths := doc["paths"].(map[string]map[string]any)
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	security := doc["components"].(map[string]any)["securitySchemes"].(map[string]any)
	for i, raw := range s.o.OpenAPI {
		var other struct {
			Paths      map[string]map[string]any `json:"paths"`
			Components struct {
				Schemas         map[string]any `json:"schemas"`
				SecuritySchemes map[string]any `json:"securitySchemes"`
			} `json:"components"`
		}
		if err := json.Unmarshal(raw, &other); err != nil {
			return nil, fmt.Errorf("web: OpenAPI document %d: %w", i, err)
		}
		for p, ops := range other.Paths {
			if !strings.HasPrefix(p, "/") {
				return nil, fmt.Errorf("web: OpenAPI document %d: path %q is not absolute", i, p)
			}
			if paths[p] == nil {
				paths[p] = map[string]any{}
			}
			for m, op := range ops {
				if _, dup := paths[p][m]; dup {
					return nil, fmt.Errorf("web: OpenAPI document %d: %s %s is documented twice", i, strings.ToUpper(m), p)
				}
				paths[p][m] = op
			}
		}
		for name, sc := range other.Components.Schemas {
			if _, dup := schemas[name]; !dup {
				schemas[name] = sc
			}
		}
		for name, sc := range other.Components.SecuritySchemes {
			if _, dup := security[name]; !dup {
				security[name] = sc
			}
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(s.openapiDoc)
}
