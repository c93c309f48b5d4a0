package subscriber_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/bawwab/bawwab"
)

// BenchmarkHomePage renders a signed-in subscriber's page (oppositions,
// history, the first 50 of 2,000 brands) over HTTPS, and a search.
func BenchmarkHomePage(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	for i := range 2000 {
		if err := e.store.Registry.CreateAdvertiser(ctx, &bawwab.Advertiser{ID: fmt.Sprintf("brand-%04d", i), Name: fmt.Sprintf("Brand %04d", i), ProviderIDs: []string{"atlasvas"}}); err != nil {
			b.Fatal(err)
		}
	}
	br := e.browser(b)
	br.signIn(numberA, numberA)
	for _, q := range []string{"", "?q=brand+1999"} {
		b.Run(map[string]string{"": "all", "?q=brand+1999": "search"}[q], func(b *testing.B) {
			for b.Loop() {
				if st, _ := br.get("/subscriber/" + q); st != http.StatusOK {
					b.Fatal(st)
				}
			}
		})
	}
}
