package subscriber

import (
	"crypto/rand"
	"encoding/json"
)

// MissingTexts returns the keys of the French texts that language l lacks.
func MissingTexts(l string) []string {
	var out []string
	for k := range messages["fr"] {
		if _, ok := messages[l][k]; !ok {
			out = append(out, k)
		}
	}
	return out
}

var cryptoRand = rand.Reader

func jsonMarshal(v any) ([]byte, error)       { return json.Marshal(v) }
func jsonMarshalIndent(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") }
