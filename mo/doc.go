// Package mo reads what subscribers send to the opt-out channels (mobile
// originated messages, MO) — STOP, START, a request for help, a question
// about who is behind a brand — in French, Arabic, Darija in Arabic and
// Latin letters, and English, and returns the oppositions to record and
// the free reply to send (docs/RULES.md, "STOP, START and the opposition
// register"). It does no I/O and reads no clock.
//
// # Use
//
// Build a Directory from the registry (NewDirectory), and build a new one
// whenever the registry changes; it is immutable, so the gateway swaps it
// in with an atomic pointer. For every MO that arrives on channel C from
// number N:
//
//	res, err := dir.Handle(mo.MO{From: N, To: C, Text: text, At: now})
//	// err: C is not a channel of the registry, or a complaint channel.
//	// Record res.Oppositions durably, in order, then send
//	// res.Reply.French and res.Reply.Arabic from C to N, free.
//
// On a provider's service code (PurposeService), a Result of KindUnknown
// is a message for the provider: relay it rather than reply.
//
// # Reading a message
//
// The text goes through textcheck's normaliser (case, accents, compatibility
// forms, Arabic letter variants and digits, zero-width and bidi controls,
// spacing) and is cut into words at spaces and punctuation. Greetings and
// courtesies at either end are set aside ("Bonjour, STOP svp", "السلام
// عليكم توقف عافاك"). Then:
//
//   - The first word is a keyword (keywords.go): opt-out (STOP, ARRÊT,
//     DÉSABONNER, UNSUBSCRIBE, توقف, إيقاف, إلغاء, Darija WQEF/W9EF and
//     7BES/حبس...), opt-in (START, UNSTOP, OUI, YES, ابدأ), help (AIDE,
//     HELP, INFO, مساعدة) or contact (CONTACT, QUI, Darija شكون/CHKOUN).
//     Two words may make one ("opt out", "me désabonner", "STOP ALL"). A
//     keyword is still read with letters repeated ("stooop", "توقففف"),
//     two letters swapped ("stpo"), one typo when it has seven letters or
//     more ("desabonee"), or glued to a number ("STOP3030").
//   - What follows the keyword, once a copy of the channel's code at the
//     end ("au 3030") and fillers at its edges ("les SMS de", "الرسائل
//     ديال") are set aside, is nothing; ALL (ALL, TOUT, الكل, كلشي,
//     kolchi); a brand, or up to three separated by commas or "et"; or a
//     sentence: a pronoun, a negation, a verb of wanting, a keyword of the
//     opposite kind, or more than six words ("Stop spamming me please",
//     "Oui mais arrêtez").
//   - A message that does not start with a keyword may be a brand, matched
//     exactly, followed by STOP or START ("ATLASMKT STOP"). Anything else
//     is not an instruction: "je veux pas que ça stop" only gets the help
//     of the channel.
//
// # The rules
//
//  1. The national StopSMS channel: the words decide the scope. STOP alone
//     or STOP ALL opposes all commercial SMS (the national scope); STOP
//     BRAND opposes that advertiser (or provider); START undoes the same.
//     An unknown or ambiguous brand records nothing, and the reply says so
//     and how to write it, with the closest candidates. A keyword followed
//     by a sentence is not an instruction: a sentence names no scope, and
//     guessing one would stop too much or too little.
//  2. A provider's or advertiser's own channel: the scope is the
//     channel's. An opt-out keyword opens anything sent there — STOP
//     followed by a sentence or by a name nobody knows still records the
//     opposition at the channel's scope: the channel exists to receive
//     them, and a false STOP costs an advertiser a message where a missed
//     one costs a subscriber their peace. A brand named that the channel's
//     scope does not cover (STOP ATLASMKT to another provider's channel) is
//     recorded too.
//  3. Keywords that are ordinary words (END, CANCEL, QUIT, REVOKE,
//     ANNULER, RÉSILIER, OUI, YES, نعم) count only when followed by
//     nothing, ALL or a brand that resolves ("Annuler commande 123" to a
//     service code is not an opt-out), and no opt-in counts before a
//     sentence: a false START exposes a subscriber to what they refused.
//  4. Help gets the help of the channel (what to send, that it is free);
//     "INFO BRAND" is read as a question about the brand.
//  5. CONTACT or QUI BRAND gets the identity behind a brand: the
//     advertiser, its contact details, its providers and their ANRT
//     declarations, and how to stop it; to an own channel, QUI alone gets
//     the owner's.
//
// # Brands
//
// Directory.Resolve finds the brand a subscriber names among the
// advertisers' names, identifiers and sender IDs, the providers' names and
// identifiers, and the codes of own channels ("STOP 5050" to the national
// channel is the owner of 5050). The steps, the first that finds something
// deciding: exact (modulo case, accents, spaces and punctuation:
// "atlas-market" = "Atlas Market" = "ATLASMARKET"; a leading article may be
// left out: "Mamounia"), prefix (the first words of a name: "Atlas"), typo
// (edit distance, one edit up to seven letters, two beyond, a swap counting
// one), sound (the consonant skeleton, across scripts: "أطلس ماركت" is
// "Atlas Market"; sound.go). At each step advertisers come before
// providers, and several brands at the best step make the name ambiguous.
//
// # Replies
//
// Two SMS, French and Arabic, each within two parts (templates.go, the one
// file to review). A confirmation names what was stopped or started and
// the command that undoes it.
package mo
