package smpp

import (
	"errors"
	"fmt"
	"sync/atomic"
)

// Capacity of one short message (140 octets on air), in the units of each
// alphabet, without and with a concatenation UDH.
const (
	gsm7Single = 160
	ucs2Single = 140 // octets
)

// ErrTooLong is returned by Split for a text that needs more than 255 parts.
var ErrTooLong = errors.New("smpp: text needs more than 255 parts")

// Splitter cuts the texts a gateway writes itself (confirmations, in French
// or Arabic) into short messages: GSM 03.38 when every character is in it,
// UCS-2 otherwise, with a concatenation UDH when one part is not enough. It
// never cuts an escape sequence or a surrogate pair in two. The zero
// Splitter uses 8-bit references from a counter; it is safe for concurrent
// use.
type Splitter struct {
	// Ref16 selects 16-bit references (IEI 0x08) instead of 8-bit (IEI 0x00).
	Ref16 bool
	// NextRef returns the reference of the next long message; default a
	// counter from 1.
	NextRef func() uint16
	ref     atomic.Uint32
}

// Split is a text cut into short messages.
type Split struct {
	DataCoding DataCoding // CodingDefault (GSM 03.38, one septet per octet) or CodingUCS2
	ESMClass   byte       // ESMClassUDHI when the parts carry a UDH, else 0
	Concat     Concat     // Kind, Ref, Total of a long message; zero for one part
	Parts      [][]byte   // the short_message of each part, UDH included
}

// Split cuts text into short messages.
func (s *Splitter) Split(text string) (*Split, error) {
	var (
		data            []byte
		single, partCap int
		unit            int
		dc              DataCoding
	)
	if septets, err := AppendGSM7(nil, text); err == nil {
		data, dc, single, unit = septets, CodingDefault, gsm7Single, 1
		// 140 octets less the UDH, in septets: (1120 - 8*udhLen) / 7.
		partCap = (1120 - 48) / 7
		if s.Ref16 {
			partCap = (1120 - 56) / 7
		}
	} else {
		data, dc, single, unit = AppendUCS2(nil, text), CodingUCS2, ucs2Single, 2
		partCap = 140 - 6
		if s.Ref16 {
			partCap = 140 - 8 // 133 octets rounded down to whole code units
		}
	}
	if len(data) <= single {
		return &Split{DataCoding: dc, Parts: [][]byte{data}}, nil
	}
	var chunks [][]byte
	for i := 0; i < len(data); {
		end := min(i+partCap, len(data))
		if end < len(data) {
			if unit == 1 && data[end-1] == gsmEscape {
				end-- // keep the escape with its character
			}
			if unit == 2 && data[end-2] >= 0xD8 && data[end-2] <= 0xDB {
				end -= 2 // keep a high surrogate with its low half
			}
		}
		chunks = append(chunks, data[i:end])
		i = end
	}
	if len(chunks) > 255 {
		return nil, fmt.Errorf("%w: %d parts", ErrTooLong, len(chunks))
	}
	var ref uint16
	if s.NextRef != nil {
		ref = s.NextRef()
	} else {
		ref = uint16(s.ref.Add(1))
	}
	out := &Split{DataCoding: dc, ESMClass: ESMClassUDHI, Parts: make([][]byte, len(chunks))}
	out.Concat = Concat{Kind: ConcatUDH8, Ref: ref & 0xFF, Total: uint8(len(chunks))}
	if s.Ref16 {
		out.Concat = Concat{Kind: ConcatUDH16, Ref: ref, Total: uint8(len(chunks))}
	}
	for i, c := range chunks {
		var udh []byte
		if s.Ref16 {
			udh = []byte{6, IEIConcat16, 4, byte(ref >> 8), byte(ref), byte(len(chunks)), byte(i + 1)}
		} else {
			udh = []byte{5, IEIConcat8, 3, byte(ref), byte(len(chunks)), byte(i + 1)}
		}
		out.Parts[i] = append(udh, c...)
	}
	return out, nil
}

// Bodies returns one submit_sm body per part: a copy of tmpl with the
// part's short_message, the data_coding and the UDHI bit set.
func (s *Split) Bodies(tmpl Body) []*Body {
	out := make([]*Body, len(s.Parts))
	for i, p := range s.Parts {
		b := tmpl
		b.ShortMessage = p
		b.DataCoding = s.DataCoding
		b.ESMClass = tmpl.ESMClass&^ESMClassUDHI | s.ESMClass
		out[i] = &b
	}
	return out
}
