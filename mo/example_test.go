package mo_test

import (
	"fmt"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/mo"
)

// The gateway builds a Directory from the registry, and for every MO
// records the oppositions, then sends the two replies.
func Example() {
	dir, err := mo.NewDirectory(mo.Records{
		Providers:   []bawwab.Provider{{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "D-2019-041"}},
		Advertisers: []bawwab.Advertiser{{ID: "atlas-market", Name: "Atlas Market", ProviderIDs: []string{"atlasvas"}}},
		SenderIDs:   []bawwab.SenderID{{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial}},
		Channels:    []bawwab.Channel{{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true}},
	})
	if err != nil {
		panic(err)
	}
	res, err := dir.Handle(mo.MO{
		From: "+212612345678",
		To:   "3030",
		Text: "Stop atlas market",
		At:   time.Date(2025, 6, 14, 10, 30, 0, 0, time.UTC),
	})
	if err != nil {
		panic(err)
	}
	for _, o := range res.Oppositions {
		fmt.Println(o.Action, o.Scope, o.Channel, o.At.Format(time.RFC3339))
	}
	fmt.Println(res.Reply.French)
	fmt.Println(res.Reply.Arabic)
	// Output:
	// stop advertiser:atlas-market 3030 2025-06-14T10:30:00Z
	// Vous ne recevrez plus de SMS commerciaux d'Atlas Market. Pour les recevoir à nouveau, envoyez START ATLASMKT au 3030.
	// لن تتوصل بعد الآن بالرسائل التجارية من Atlas Market. لاستقبالها من جديد أرسل START ATLASMKT إلى 3030.
}
