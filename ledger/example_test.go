package ledger_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/ledger"
	"golang.org/x/mod/sumdb/note"
)

// The gateway records a decision before it answers the provider; an
// inspector later finds it from the number, proves it and verifies the
// whole ledger.
func Example() {
	root, _ := os.MkdirTemp("", "ledger-example")
	defer os.RemoveAll(root)
	ctx := context.Background()

	// The gateway: secret keys in files of their own, the ledger in its
	// directory.
	keys, err := ledger.OpenKeyring(filepath.Join(root, "pseudonym.keys"), ledger.KeyringOptions{Create: true})
	if err != nil {
		log.Fatal(err)
	}
	l, err := ledger.Open(filepath.Join(root, "ledger"), ledger.Options{
		SigningKeyFile: filepath.Join(root, "ledger.key"),
		Origin:         "bawwab-casa-1",
		Keyring:        keys,
	})
	if err != nil {
		log.Fatal(err)
	}
	e := &bawwab.LedgerEntry{
		ProviderID: "atlasvas", AccountID: "atlas01", AdvertiserID: "atlas-market", SenderID: "ATLASMKT",
		OperatorID: "iam", MSISDN: "+212661234567", Text: "Atlas Market : -20% ce week-end !",
	}
	e.SetDecision(bawwab.Decision{Outcome: bawwab.Reject, Reason: bawwab.ReasonOptOutMentionMissing, RuleSet: "2025.06-1"})
	index, err := l.Append(ctx, e) // durable when it returns
	if err != nil {
		log.Fatal(err)
	}
	publicKey := l.PublicKey() // handed to the regulators
	if err := l.Close(); err != nil {
		log.Fatal(err)
	}

	// The inspector: the number's entries, through its pseudonyms.
	r, err := ledger.OpenReader(filepath.Join(root, "ledger"))
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	for found, err := range r.FindEntries(ctx, bawwab.LedgerFilter{Recipients: keys.Pseudonyms("+212661234567")}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(found.Index, found.Kind, found.Decision(), found.ProviderID)
	}
	// A proof of that entry, checked offline with the public key.
	proof, err := r.ProveEntry(ctx, index)
	if err != nil {
		log.Fatal(err)
	}
	v, _ := note.NewVerifier(publicKey)
	proved, cp, err := ledger.VerifyInclusion(proof, note.VerifierList(v))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("proved:", proved.Index, "in a checkpoint of", cp.N, "entries")
	// The whole ledger.
	rep, err := ledger.Verify(ctx, r.Store(), ledger.VerifyOptions{Keys: []note.Verifier{v}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("verified:", rep.OK(), rep.Entries, "entries")
	// Output:
	// 0 decision reject(optout-mention-missing) atlasvas
	// proved: 0 in a checkpoint of 1 entries
	// verified: true 1 entries
}
