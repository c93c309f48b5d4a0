// Package textcheck reads the text of an SMS the way a subscriber does, for
// the rules that depend on it (docs/RULES.md):
//
//   - R4: a commercial SMS must carry a legible opt-out instruction, a
//     keyword (STOP, ARRÊT, توقف, إيقاف, إلغاء, W9EF...) and a means, the
//     number to send it to, which must be a registered free channel of the
//     sender or the national StopSMS channel;
//   - R9: a text sent under a transactional sender ID must not read as
//     commercial prospecting.
//
// The package has three parts, each usable alone:
//
//   - Text: one normalisation pass (compatibility forms, case and accents,
//     Arabic letter variants and digits, zero-width and bidi controls,
//     white space) that keeps a map back to the bytes of the original, so
//     that whatever is found is reported as a span of the text the
//     subscriber reads. The MO keyword engine uses it to read STOP replies.
//   - the finder (Checker.Find): the grammar of an opt-out instruction in
//     French, Arabic, Darija in Arabic and Latin letters, English and
//     Spanish — keyword, connector (au, à, to, al, إلى, ل, l), number — and
//     the reply form ("Répondez STOP", whose means is a numeric sender),
//     with the traps a linguist would name: compounds (non-stop), words
//     that contain the keyword (STOPMANIA, stoppez, تتوقف), negations (sans
//     arrêt, بلا توقف), noun phrases (bus stop, l'arrêt du tramway), URLs,
//     prices and times after the keyword, and keywords disguised to dodge
//     filters (S T O P, ST0P), which are not legible.
//   - the classifier (Checker.Classify): weighs documented features of
//     prospecting against those of a service message; FEATURES.md lists
//     them for review.
//
// Checker.Check combines them into a Verdict given the sender, its declared
// category and its registered channels. A Checker reuses its buffers and
// does not allocate per text; the package function Check pools Checkers for
// concurrent callers. The word lists are data (lexicon.go, features.go),
// normalised when first used, and the grammar is written in the roles of
// the words, never in the words themselves.
package textcheck
