package textcheck

import "testing"

// TestWordTable looks every word of the lexicon up as the finder and the
// classifier do: in a buffer with other bytes after it (the fast path,
// which loads 16 bytes and masks what lies past the word) and alone in
// a slice of its exact capacity (the slow path); and words that differ by
// a byte or a length are not found.
func TestWordTable(t *testing.T) {
	ensureInit()
	for k, w := range lexicon.keys {
		exact := []byte(w)[:len(w):len(w)]
		padded := append([]byte(w), "xxxxxxxxxxxxxxxxxx"...)[:len(w)]
		for _, b := range [][]byte{exact, padded} {
			e, ok := lexicon.get(b)
			if !ok || e.r != lexicon.entries[k].r || len(e.phrases) != len(lexicon.entries[k].phrases) {
				t.Fatalf("%q (capacity %d): not found", w, cap(b))
			}
		}
		for _, other := range []string{w + "z", w[:len(w)-1], "z" + w[1:]} {
			if _, ok := lexicon.get([]byte(other)); ok && !inLexicon(other) {
				t.Fatalf("%q found, though not in the lexicon", other)
			}
		}
	}
}

func inLexicon(w string) bool {
	for _, k := range lexicon.keys {
		if k == w {
			return true
		}
	}
	return false
}
