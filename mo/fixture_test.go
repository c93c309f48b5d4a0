package mo

import (
	"testing"
	"time"

	"github.com/bawwab/bawwab"
)

// testRecords is a small registry: two VAS providers and an operator
// selling its own services, brands in Latin and Arabic letters, names that
// share a word (Atlas Market, Atlas Moto), the national channel 3030, a
// provider's channel, an advertiser's channel, a provider's service code
// and a complaint code.
func testRecords() Records {
	return Records{
		Providers: []bawwab.Provider{
			{ID: "atlasvas", Name: "Atlas VAS SARL", ANRTDeclaration: "D-2019-041"},
			{ID: "sahelcom", Name: "Sahel Com", ANRTDeclaration: "D-2020-117"},
			{ID: "iam", Name: "Maroc Telecom", ANRTDeclaration: "D-2018-001", OperatorID: "iam"},
		},
		Advertisers: []bawwab.Advertiser{
			{ID: "atlas-market", Name: "Atlas Market", Sector: "retail", ProviderIDs: []string{"atlasvas"}, Contact: "service client 0522 45 67 89, atlasmarket.ma"},
			{ID: "atlas-moto", Name: "Atlas Moto", Sector: "motorcycles", ProviderIDs: []string{"sahelcom"}, Contact: "0522 11 22 33"},
			{ID: "marjane", Name: "Marjane", Sector: "retail", ProviderIDs: []string{"atlasvas", "sahelcom"}, Contact: "marjane.ma"},
			{ID: "moda-sala", Name: "Moda Sala", Sector: "fashion", ProviderIDs: []string{"sahelcom"}},
			{ID: "zitoun", Name: "مدارس الزيتون", Sector: "education", ProviderIDs: []string{"sahelcom"}, Contact: "0537 00 11 22"},
			{ID: "la-mamounia", Name: "La Mamounia", Sector: "hotels", ProviderIDs: []string{"atlasvas"}},
			{ID: "chaabi-cash", Name: "Chaabi Cash", Sector: "finance", ProviderIDs: []string{"atlasvas"}},
			{ID: "iam-offres", Name: "Maroc Telecom", Sector: "telecom", ProviderIDs: []string{"iam"}, Contact: "*6 ou iam.ma"},
			{ID: "kech-shop", Name: "KechShop", Sector: "retail", ProviderIDs: []string{"sahelcom"}},
			{ID: "bim", Name: "BIM", Sector: "retail", ProviderIDs: []string{"sahelcom"}},
			{ID: "cafe-fes", Name: "Café Fès Délices", Sector: "food", ProviderIDs: []string{"atlasvas"}},
		},
		SenderIDs: []bawwab.SenderID{
			{Value: "ATLASMKT", ProviderID: "atlasvas", AdvertiserID: "atlas-market", Category: bawwab.CategoryCommercial},
			{Value: "ATLASMOTO", ProviderID: "sahelcom", AdvertiserID: "atlas-moto", Category: bawwab.CategoryCommercial},
			{Value: "MARJANE", ProviderID: "atlasvas", AdvertiserID: "marjane", Category: bawwab.CategoryCommercial},
			{Value: "5151", ProviderID: "sahelcom", AdvertiserID: "marjane", Category: bawwab.CategoryCommercial},
			{Value: "MODASALA", ProviderID: "sahelcom", AdvertiserID: "moda-sala", Category: bawwab.CategoryCommercial},
			{Value: "ZITOUNEDU", ProviderID: "sahelcom", AdvertiserID: "zitoun", Category: bawwab.CategoryCommercial},
			{Value: "MAMOUNIA", ProviderID: "atlasvas", AdvertiserID: "la-mamounia", Category: bawwab.CategoryCommercial},
			{Value: "CHAABICASH", ProviderID: "atlasvas", AdvertiserID: "chaabi-cash", Category: bawwab.CategoryCommercial},
			{Value: "IAM", ProviderID: "iam", AdvertiserID: "iam-offres", Category: bawwab.CategoryCommercial},
			{Value: "KECHLIVR", ProviderID: "sahelcom", AdvertiserID: "kech-shop", Category: bawwab.CategoryTransactional},
			{Value: "KECHSHOP", ProviderID: "sahelcom", AdvertiserID: "kech-shop", Category: bawwab.CategoryCommercial},
		},
		Channels: []bawwab.Channel{
			{Code: "3030", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelNational, Free: true},
			{Code: "5050", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelProvider, Free: true, ProviderID: "atlasvas"},
			{Code: "4545", Purpose: bawwab.PurposeOptOut, Scope: bawwab.ChannelAdvertiser, Free: true, ProviderID: "atlasvas", AdvertiserID: "marjane"},
			{Code: "7070", Purpose: bawwab.PurposeService, Scope: bawwab.ChannelProvider, ProviderID: "sahelcom"},
			{Code: "8585", Purpose: bawwab.PurposeComplaint, Scope: bawwab.ChannelNational, Free: true},
		},
	}
}

var testTime = time.Date(2025, 6, 14, 10, 30, 0, 0, time.UTC)

const testNumber = "+212612345678"

func testDirectory(t testing.TB) *Directory {
	t.Helper()
	d, err := NewDirectory(testRecords())
	if err != nil {
		t.Fatal(err)
	}
	return d
}
