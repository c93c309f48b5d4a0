package mo

import (
	"strconv"
	"strings"
	"time"

	"github.com/bawwab/bawwab"
	"github.com/bawwab/bawwab/textcheck"
)

// MO is a message a subscriber sent to a channel (mobile originated).
type MO struct {
	// From is the subscriber's number, E.164 ("+212612345678"), as the
	// gateway normalised it.
	From string
	// To is the short code written to: the destination address of the
	// deliver_sm (its digits are what counts).
	To string
	// Text is the decoded text, concatenated parts reassembled.
	Text string
	// At is when the message arrived, on the gateway's clock: the time of
	// the oppositions recorded.
	At time.Time
}

// Issue says why a message that named a keyword changed nothing, or why a
// message is not an instruction.
type Issue uint8

const (
	IssueNone Issue = iota
	// IssueNoKeyword: the message does not start with a keyword ("je veux
	// pas que ça stop", "Bonjour", an empty message).
	IssueNoKeyword
	// IssueNotInstruction: a keyword opens a sentence ("Stop spamming me"
	// to the national channel, "Oui mais arrêtez").
	IssueNotInstruction
	// IssueNoBrand: QUI with no brand, to the national channel.
	IssueNoBrand
	// IssueUnknownBrand: the brand named is not in the registry.
	IssueUnknownBrand
	// IssueAmbiguousBrand: the brand named fits several brands equally.
	IssueAmbiguousBrand
)

var issueNames = [...]string{"none", "no-keyword", "not-instruction", "no-brand", "unknown-brand", "ambiguous-brand"}

func (i Issue) String() string {
	if int(i) < len(issueNames) {
		return issueNames[i]
	}
	return "issue(?)"
}

// Result is what to do with an MO.
type Result struct {
	// Kind is what the message asks for; KindUnknown when it is not an
	// instruction.
	Kind Kind
	// Issue is why nothing was recorded though something was asked (an
	// unknown or ambiguous brand), or why the message is not an
	// instruction.
	Issue Issue
	// Keyword is the keyword read, normalised ("stop", "arret", "توقف"),
	// empty when there is none.
	Keyword string
	// Brands are the brands the message named and the directory resolved,
	// and Match how (the loosest of them).
	Brands []Brand
	Match  Match
	// Candidates are the closest brands when the name was ambiguous.
	Candidates []Brand
	// Oppositions are the register events to record, in order, before the
	// reply is sent: MSISDN, Scope, Action, At and Channel are filled; Seq
	// is the store's.
	Oppositions []bawwab.Opposition
	// Reply is the free SMS to send back, never empty.
	Reply Reply
}

// parser holds the scratch space of one Handle or Resolve call; the
// directory pools them.
type parser struct {
	text   textcheck.Text
	words  []word
	split  []word
	key    []byte
	skel   []byte
	out    []byte
	runes  []rune
	cands  []int32
	brands []int32
	rows   [3][maxFuzzy + 2]int
	vals   values
}

// targetKind is what follows a keyword.
type targetKind uint8

const (
	targetNone      targetKind = iota // nothing (or fillers: "STOP SMS")
	targetAll                         // ALL, TOUT, الكل
	targetBrands                      // one or more brands, resolved (p.brands)
	targetAmbiguous                   // a name that fits several brands (p.brands)
	targetUnknown                     // a name that fits none
	targetSentence                    // a sentence, not a name
)

// reading is what the grammar read in a message.
type reading struct {
	kw     keyword
	found  bool
	target targetKind
	match  Match
	typed  [2]int // the target's bytes in the normalised text
}

// Handle reads an MO sent to one of the registry's channels and returns
// the oppositions to record and the reply to send. It does no I/O and
// reads no clock: the time of the oppositions is m.At. An error means the
// MO cannot be handled here (an unknown channel, a complaint channel, no
// sender number or time); a message the engine does not understand is not
// an error but a Result of KindUnknown with a reply explaining the
// channel.
func (d *Directory) Handle(m MO) (Result, error) {
	if m.From == "" {
		return Result{}, bawwab.Errorf(bawwab.EINVALID, "handle mo: no sender number")
	}
	if m.At.IsZero() {
		return Result{}, bawwab.Errorf(bawwab.EINVALID, "handle mo: no arrival time")
	}
	ci, ok := d.channels[digitsOf(m.To)]
	if !ok {
		return Result{}, bawwab.Errorf(bawwab.ENOTFOUND, "handle mo: no channel %q in the registry", m.To)
	}
	if ci.ch.Purpose == bawwab.PurposeComplaint {
		return Result{}, bawwab.Errorf(bawwab.EINVALID, "handle mo: channel %s receives complaints, not keywords", ci.ch.Code)
	}
	p := d.getParser()
	defer d.pool.Put(p)
	p.text.Reset(m.Text)
	b := p.text.Bytes()
	p.words = wordsOf(p.words[:0], b)
	r := d.read(p, b, p.words, &ci)
	return d.decide(p, &m, &ci, &r), nil
}

// read applies the grammar: a keyword as the first word (after a greeting)
// and what follows it, or a brand followed by a STOP or START keyword.
func (d *Directory) read(p *parser, b []byte, ws []word, ci *channelInfo) reading {
	var r reading
	ws = trimCourtesy(b, ws)
	if len(ws) == 0 {
		return r
	}
	// A keyword glued to a number, "STOP3030", "STOP5050": two words.
	if w := ws[0]; hasLetter(b[w.s:w.e]) {
		if i := digitStart(b[w.s:w.e]); i > 0 && isDigits(b[int(w.s)+i:w.e]) {
			if _, ok := tables.keywords[string(b[w.s:int(w.s)+i])]; ok {
				p.split = append(p.split[:0], word{s: w.s, e: w.s + int32(i)}, word{s: w.s + int32(i), e: w.e})
				p.split = append(p.split, ws[1:]...)
				ws = p.split
			}
		}
	}
	if kw, n, ok := d.keywordAt(p, b, ws, ci); ok {
		r.kw, r.found = kw, true
		d.readTarget(p, b, ws[n:], ci, &r)
		return r
	}
	// "ATLASMKT STOP": a brand, exactly, then STOP or START.
	if len(ws) > 1 {
		last := ws[len(ws)-1]
		kw, ok := d.lookupKeyword(p, b[last.s:last.e], ci)
		if ok && (kw.kind == KindStop || kw.kind == KindStart) {
			if m, bs := d.resolveWords(p, b, ws[:len(ws)-1], false); len(bs) == 1 {
				r.kw, r.found, r.target, r.match = kw, true, targetBrands, m
				p.brands = append(p.brands[:0], bs[0])
			}
		}
	}
	return r
}

// keywordAt reads a keyword at the start of ws and returns how many words
// it takes.
func (d *Directory) keywordAt(p *parser, b []byte, ws []word, ci *channelInfo) (keyword, int, bool) {
	if len(ws) >= 2 {
		w0, w1 := b[ws[0].s:ws[0].e], b[ws[1].s:ws[1].e]
		for _, ph := range tables.phrases {
			if string(w0) == ph.words[0] && string(w1) == ph.words[1] {
				return ph.kw, 2, true
			}
		}
	}
	kw, ok := d.lookupKeyword(p, b[ws[0].s:ws[0].e], ci)
	return kw, 1, ok
}

// lookupKeyword reads one word as a keyword: as written, with repeated
// letters collapsed ("stooop", "توقففف"), or with a typo (keywordTypo).
func (d *Directory) lookupKeyword(p *parser, w []byte, ci *channelInfo) (keyword, bool) {
	if k, ok := tables.keywords[string(w)]; ok {
		return k, true
	}
	p.key = collapse(p.key[:0], w)
	if k, ok := tables.collapsed[string(p.key)]; ok {
		return k, true
	}
	p.key = append(p.key[:0], w...)
	return keywordTypo(p.key, &p.rows, &p.runes)
}

// digitStart returns the index of the first ASCII digit of w, or -1.
func digitStart(w []byte) int {
	for i, c := range w {
		if c >= '0' && c <= '9' {
			return i
		}
	}
	return -1
}

// readTarget reads what follows a keyword.
func (d *Directory) readTarget(p *parser, b []byte, rest []word, ci *channelInfo, r *reading) {
	if r.kw.kind == KindStop || r.kw.kind == KindStart {
		// "Oui mais arrêtez", "STOP ou START ?": a sentence.
		for _, w := range rest {
			if k, ok := tables.keywords[string(b[w.s:w.e])]; ok && (k.kind == KindStop || k.kind == KindStart) && k.kind != r.kw.kind {
				r.target = targetSentence
				return
			}
		}
	}
	// The channel's code copied at the end: "STOP ATLASMKT au 3030".
	if n := len(rest); n > 0 {
		w := b[rest[n-1].s:rest[n-1].e]
		if isDigits(w) && (string(w) == digitsOf(ci.ch.Code) || string(w) == d.national) {
			rest = rest[:n-1]
			if n := len(rest); n > 0 && classOf(b, rest[n-1])&cConnector != 0 {
				rest = rest[:n-1]
			}
		}
	}
	rest = trimCourtesy(b, rest)
	// The keyword repeated: "STOP STOP STOP", "stop! stop".
	for len(rest) > 0 && sameKeyword(b, rest[0], r.kw.kind) {
		rest = rest[1:]
	}
	for len(rest) > 0 && sameKeyword(b, rest[len(rest)-1], r.kw.kind) {
		rest = rest[:len(rest)-1]
	}
	core := trimFillers(b, rest)
	if len(core) == 0 {
		r.target = targetNone
		if r.kw.all {
			r.target = targetAll
		}
		return
	}
	all := true
	for _, w := range core {
		if classOf(b, w)&cAll == 0 {
			all = false
			break
		}
	}
	if all {
		r.target = targetAll
		return
	}
	r.typed = [2]int{int(core[0].s), int(core[len(core)-1].e)}
	m, bs := d.resolveWords(p, b, rest, false)
	if m == MatchNone && len(core) != len(rest) {
		m, bs = d.resolveWords(p, b, core, false)
	}
	if m == MatchNone {
		if isSentence(b, core) {
			r.target = targetSentence
			return
		}
		m, bs = d.resolveWords(p, b, core, true)
	}
	if m != MatchNone {
		r.match = m
		p.brands = append(p.brands[:0], bs...)
		r.target = targetBrands
		if len(bs) > 1 {
			r.target = targetAmbiguous
		}
		return
	}
	if d.readList(p, b, core, r) {
		return
	}
	r.target = targetUnknown
}

// readList reads a list of brands, each resolved to one brand:
// "ATLASMKT, MARJANE", "Atlas Market et Marjane". At most three.
func (d *Directory) readList(p *parser, b []byte, core []word, r *reading) bool {
	p.brands = p.brands[:0]
	loosest := MatchNone
	parts := 0
	for start := 0; start < len(core); {
		end := start + 1
		for end < len(core) && !core[end].sep && classOf(b, core[end])&cConj == 0 {
			end++
		}
		part := trimFillers(b, core[start:end])
		if len(part) > 0 {
			parts++
			if parts > 3 {
				return false
			}
			m, bs := d.resolveWords(p, b, part, true)
			if len(bs) != 1 {
				return false
			}
			p.brands = appendBrand(p.brands, bs[0])
			loosest = max(loosest, m)
		}
		start = end
		if start < len(core) && classOf(b, core[start])&cConj != 0 {
			start++
		}
	}
	if parts < 2 {
		return false
	}
	r.target, r.match = targetBrands, loosest
	return true
}

func sameKeyword(b []byte, w word, k Kind) bool {
	kw, ok := tables.keywords[string(b[w.s:w.e])]
	return ok && kw.kind == k && !kw.all
}

func classOf(b []byte, w word) class { return tables.classes[string(b[w.s:w.e])] }

// isSentence reports whether words read as a sentence rather than a name:
// a pronoun, a negation, a verb of wanting, or more words than a brand
// has.
func isSentence(b []byte, ws []word) bool {
	if len(ws) > 6 {
		return true
	}
	for _, w := range ws {
		if classOf(b, w)&cSentence != 0 {
			return true
		}
	}
	return false
}

// trimFillers drops fillers at both ends of ws.
func trimFillers(b []byte, ws []word) []word {
	for len(ws) > 0 && classOf(b, ws[0])&cFiller != 0 {
		ws = ws[1:]
	}
	for len(ws) > 0 && classOf(b, ws[len(ws)-1])&cFiller != 0 {
		ws = ws[:len(ws)-1]
	}
	return ws
}

// trimCourtesy drops greetings and courtesies at both ends of ws ("Bonjour,
// STOP svp", "السلام عليكم توقف عافاك").
func trimCourtesy(b []byte, ws []word) []word {
next:
	for len(ws) > 0 {
		for _, ph := range tables.courtesyFirst[string(b[ws[0].s:ws[0].e])] {
			if n := len(ph); n <= len(ws) && wordsEqual(b, ws[:n], ph) {
				ws = ws[n:]
				continue next
			}
		}
		break
	}
last:
	for len(ws) > 0 {
		w := ws[len(ws)-1]
		for _, ph := range tables.courtesyLast[string(b[w.s:w.e])] {
			if n := len(ph); n <= len(ws) && wordsEqual(b, ws[len(ws)-n:], ph) {
				ws = ws[:len(ws)-n]
				continue last
			}
		}
		break
	}
	return ws
}

func wordsEqual(b []byte, ws []word, words []string) bool {
	for i, w := range ws {
		if string(b[w.s:w.e]) != words[i] {
			return false
		}
	}
	return true
}

// decide turns a reading into oppositions and a reply, by the rules of the
// package doc.
func (d *Directory) decide(p *parser, m *MO, ci *channelInfo, r *reading) Result {
	res := Result{Kind: r.kw.kind, Keyword: r.kw.word, Match: r.match}
	own := ci.owner >= 0
	v := &p.vals
	*v = values{}
	code := digitsOf(ci.ch.Code)
	v[french][vCode], v[arabic][vCode] = code, code
	if !r.found {
		res.Kind, res.Issue = KindUnknown, IssueNoKeyword
		d.replyNotUnderstood(p, ci, &res)
		return res
	}
	if r.target == targetBrands {
		res.Brands = make([]Brand, len(p.brands))
		for i, bi := range p.brands {
			res.Brands[i] = d.brands[bi].Brand
		}
	}
	switch r.kw.kind {
	case KindStop, KindStart:
		action := bawwab.ActionStop
		if r.kw.kind == KindStart {
			action = bawwab.ActionStart
		}
		switch r.target {
		case targetSentence:
			if own && r.kw.kind == KindStop && !r.kw.weak {
				// An opt-out keyword opening anything sent to an own
				// channel: the scope is the channel's whatever follows.
				d.ownChange(p, m, ci, action, nil, &res)
				return res
			}
			res.Kind, res.Issue = KindUnknown, IssueNotInstruction
			d.replyNotUnderstood(p, ci, &res)
		case targetNone, targetAll:
			if own {
				d.ownChange(p, m, ci, action, nil, &res)
			} else {
				res.Oppositions = []bawwab.Opposition{opposition(m, code, bawwab.NationalScope, action)}
				t := tStopAll
				if action == bawwab.ActionStart {
					t = tStartAll
				}
				d.reply(p, &res, t)
			}
		case targetBrands:
			if own {
				d.ownChange(p, m, ci, action, p.brands, &res)
			} else {
				d.brandChange(p, m, code, action, &res)
			}
		case targetUnknown, targetAmbiguous:
			switch {
			case r.kw.weak:
				// "Annuler commande 123": an ordinary word, not a keyword.
				res.Kind, res.Issue = KindUnknown, IssueNotInstruction
				d.replyNotUnderstood(p, ci, &res)
			case own:
				// The channel's scope, whatever the name says.
				d.ownChange(p, m, ci, action, nil, &res)
			default:
				d.replyBrandIssue(p, m, r, &res)
			}
		}
	case KindHelp:
		if r.target == targetBrands {
			res.Kind = KindContact // "INFO ATLASMKT": who is it?
			d.replyContact(p, ci, p.brands[0], &res)
			return res
		}
		d.replyHelp(p, ci, &res)
	case KindContact:
		switch {
		case r.target == targetBrands:
			d.replyContact(p, ci, p.brands[0], &res)
		case own:
			d.replyContact(p, ci, ci.owner, &res)
		case r.target == targetSentence:
			res.Kind, res.Issue = KindUnknown, IssueNotInstruction
			d.replyNotUnderstood(p, ci, &res)
		case r.target == targetUnknown || r.target == targetAmbiguous:
			d.replyBrandIssue(p, m, r, &res)
		default:
			res.Issue = IssueNoBrand
			d.reply(p, &res, tNoBrand)
		}
	}
	return res
}

func opposition(m *MO, code string, s bawwab.Scope, a bawwab.OppositionAction) bawwab.Opposition {
	return bawwab.Opposition{MSISDN: m.From, Scope: s, Action: a, At: m.At, Channel: code}
}

// ownChange records a STOP or START to an own channel: at the channel's
// scope, and at the scope of each brand named that the channel's scope
// does not cover (a subscriber who writes STOP ATLASMKT to another
// provider's channel is heard on both counts).
func (d *Directory) ownChange(p *parser, m *MO, ci *channelInfo, a bawwab.OppositionAction, named []int32, res *Result) {
	code := digitsOf(ci.ch.Code)
	owner := &d.brands[ci.owner]
	res.Oppositions = make([]bawwab.Opposition, 0, 1+len(named))
	res.Oppositions = append(res.Oppositions, opposition(m, code, owner.Scope, a))
	p.cands = append(p.cands[:0], ci.owner)
	var extra []int32
	for _, bi := range named {
		if !d.within(bi, ci) {
			res.Oppositions = append(res.Oppositions, opposition(m, code, d.brands[bi].Scope, a))
			p.cands = append(p.cands, bi)
			extra = append(extra, bi)
		}
	}
	d.changeReply(p, res, a, p.cands, extra)
}

// brandChange records a STOP or START of brands to the national channel.
func (d *Directory) brandChange(p *parser, m *MO, code string, a bawwab.OppositionAction, res *Result) {
	res.Oppositions = make([]bawwab.Opposition, 0, len(p.brands))
	for _, bi := range p.brands {
		res.Oppositions = append(res.Oppositions, opposition(m, code, d.brands[bi].Scope, a))
	}
	d.changeReply(p, res, a, p.brands, p.brands)
}

// changeReply confirms a change to the brands shown; the command that
// undoes it names the brands of named ("START" alone undoes the scope of
// an own channel).
func (d *Directory) changeReply(p *parser, res *Result, a bawwab.OppositionAction, shown, named []int32) {
	v := &p.vals
	undo := "START"
	t := tStopBrands
	if a == bawwab.ActionStart {
		undo, t = "STOP", tStartBrands
	}
	if len(named) > 0 {
		undo += " " + d.handles(named)
	}
	v[french][vUndo], v[arabic][vUndo] = undo, undo
	v[french][vRedo], v[arabic][vRedo] = undo, undo
	v[french][vDeWhat] = d.join(french, shown, true)
	v[arabic][vWhat] = d.join(arabic, shown, false)
	d.reply(p, res, t)
}

// within reports whether the scope of channel ci covers brand bi.
func (d *Directory) within(bi int32, ci *channelInfo) bool {
	if bi == ci.owner {
		return true
	}
	if ci.ch.Scope == bawwab.ChannelProvider && int(bi) < d.nAdv {
		for _, pi := range d.brands[bi].providers {
			if pi == ci.owner {
				return true
			}
		}
	}
	return false
}

// phrase returns how a brand is named in a reply: its name, and for a
// provider, that it covers all its brands.
func (d *Directory) phrase(l lang, bi int32) string {
	b := &d.brands[bi]
	name, suffix := b.Name, providerSuffix.ar
	if l == french {
		name, suffix = b.nameFR, providerSuffix.fr
	}
	if int(bi) < d.nAdv {
		return name
	}
	return name + suffix
}

// join names brands in a sentence: "d'Atlas Market, de Marjane et de BIM"
// (French, with de), "Atlas Market، Marjane و BIM" (Arabic).
func (d *Directory) join(l lang, bs []int32, de bool) string {
	var s strings.Builder
	for i, bi := range bs {
		switch {
		case i == 0:
		case i == len(bs)-1 && l == french:
			s.WriteString(andWord.fr)
		case i == len(bs)-1:
			s.WriteString(andWord.ar)
			if !startsArabic(d.brands[bi].Name) {
				s.WriteByte(' ')
			}
		case l == french:
			s.WriteString(", ")
		default:
			s.WriteString("، ")
		}
		name := d.phrase(l, bi)
		if de {
			name = deForm(name)
		}
		s.WriteString(name)
	}
	return s.String()
}

func startsArabic(s string) bool {
	for _, r := range s {
		return r >= 0x600 && r <= 0x6FF
	}
	return false
}

// handles joins the handles of brands: "ATLASMKT, MARJANE".
func (d *Directory) handles(bs []int32) string {
	var s strings.Builder
	for i, bi := range bs {
		if i > 0 {
			s.WriteString(", ")
		}
		s.WriteString(d.brands[bi].Handle)
	}
	return s.String()
}

// reply renders the templates ts in both languages into res.Reply.
func (d *Directory) reply(p *parser, res *Result, ts ...templateID) {
	res.Reply.French = p.render(french, &p.vals, ts...)
	res.Reply.Arabic = p.render(arabic, &p.vals, ts...)
}

// help returns the help template of a channel, with its values set.
func (d *Directory) help(p *parser, ci *channelInfo) templateID {
	if ci.owner < 0 {
		return tHelpNational
	}
	v := &p.vals
	v[french][vDeOwner] = deForm(d.phrase(french, ci.owner))
	v[arabic][vOwner] = d.phrase(arabic, ci.owner)
	return tHelpOwn
}

func (d *Directory) replyHelp(p *parser, ci *channelInfo, res *Result) {
	d.reply(p, res, d.help(p, ci))
}

func (d *Directory) replyNotUnderstood(p *parser, ci *channelInfo, res *Result) {
	d.reply(p, res, tNotUnderstood, d.help(p, ci))
}

// replyBrandIssue explains an unknown or ambiguous brand.
func (d *Directory) replyBrandIssue(p *parser, m *MO, r *reading, res *Result) {
	v := &p.vals
	start, end := p.text.Span(r.typed[0], r.typed[1])
	typed := quote(m.Text[start:end])
	v[french][vTyped], v[arabic][vTyped] = typed, typed
	kw := canonical(r.kw.kind)
	v[french][vKw], v[arabic][vKw] = kw, kw
	if r.target != targetAmbiguous {
		res.Issue = IssueUnknownBrand
		d.reply(p, res, tUnknownBrand)
		return
	}
	res.Issue = IssueAmbiguousBrand
	n := min(len(p.brands), maxCandidates)
	res.Candidates = make([]Brand, n)
	for i, bi := range p.brands[:n] {
		res.Candidates[i] = d.brands[bi].Brand
	}
	for l, or := range [2]string{orWord.fr, orWord.ar} {
		var s strings.Builder
		for i, bi := range p.brands[:n] {
			if i > 0 {
				s.WriteString(or)
			}
			s.WriteString(kw + " " + d.brands[bi].Handle + " (" + d.phrase(lang(l), bi) + ")")
		}
		v[l][vTry] = s.String()
	}
	d.reply(p, res, tAmbiguousBrand)
}

// replyContact tells who is behind brand bi, and how to stop it from the
// channel written to.
func (d *Directory) replyContact(p *parser, ci *channelInfo, bi int32, res *Result) {
	v := &p.vals
	b := &d.brands[bi]
	stop := "STOP " + b.Handle
	if ci.owner >= 0 {
		if d.within(bi, ci) {
			stop = "STOP"
		} else if d.national != "" {
			v[french][vCode], v[arabic][vCode] = d.national, d.national
		}
	}
	v[french][vName], v[arabic][vName] = b.nameFR, b.Name
	v[french][vStop], v[arabic][vStop] = stop, stop
	if int(bi) >= d.nAdv {
		decl := [2]string{b.decl, b.decl}
		if b.decl == "" {
			decl = [2]string{noDecl.fr, noDecl.ar}
		}
		v[french][vDecl], v[arabic][vDecl] = decl[0], decl[1]
		d.reply(p, res, tContactProvider)
		return
	}
	v[french][vContact], v[arabic][vContact] = b.contact, b.contact
	if b.contact == "" {
		v[french][vContact], v[arabic][vContact] = noContact.fr, noContact.ar
	}
	// The providers, with their declarations when the reply can hold them.
	for l, and := range [2]string{andWord.fr, andWord.ar + " "} {
		for _, decl := range [2]bool{true, false} {
			v[l][vSenders] = d.senders(lang(l), b, and, decl, [2]string{noProvider.fr, noProvider.ar}[l])
			if !decl || p.fits(lang(l), v, tContactAdvertiser) {
				break
			}
		}
	}
	d.reply(p, res, tContactAdvertiser)
}

// senders names the providers of advertiser b (two at most), with their
// ANRT declarations when decl.
func (d *Directory) senders(l lang, b *brandInfo, and string, decl bool, none string) string {
	if len(b.providers) == 0 {
		return none
	}
	var s strings.Builder
	for i, pi := range b.providers {
		if i == 2 {
			s.WriteString(" +" + strconv.Itoa(len(b.providers)-2))
			break
		}
		if i > 0 {
			s.WriteString(and)
		}
		pr := &d.brands[pi]
		if l == french {
			s.WriteString(pr.nameFR)
		} else {
			s.WriteString(pr.Name)
		}
		if decl && pr.decl != "" {
			s.WriteString(" (" + declPrefix.fr + pr.decl + ")")
		}
	}
	return s.String()
}

// canonical is the keyword the replies write for a kind.
func canonical(k Kind) string {
	switch k {
	case KindStart:
		return "START"
	case KindContact:
		return "QUI"
	case KindHelp:
		return "AIDE"
	}
	return "STOP"
}
