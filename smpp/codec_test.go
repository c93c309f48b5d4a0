package smpp

import (
	"bytes"
	"errors"
	"io"
	"slices"
	"testing"

	gosmpppdu "github.com/linxGnu/gosmpp/pdu"
)

func vector(t testing.TB, name string) []byte {
	t.Helper()
	for _, v := range vectors {
		if v.name == name {
			return unhex(t, v.hex)
		}
	}
	t.Fatalf("no vector %q", name)
	return nil
}

func TestDecodeMalformed(t *testing.T) {
	sub := vector(t, "submit_sm")
	withLen := func(b []byte) []byte {
		b = slices.Clone(b)
		PatchLen(b)
		return b
	}
	cases := []struct {
		name  string
		raw   []byte
		st    Status
		field Field
	}{
		{"short header", sub[:10], StatusInvalidCmdLen, 0},
		{"length mismatch", sub[:len(sub)-1], StatusInvalidCmdLen, 0},
		{"unknown command", func() []byte { b := slices.Clone(sub); b[7] = 0x99; return b }(), StatusInvalidCmdID, 0},
		{"no NUL in source_addr", withLen(sub[:22]), StatusInvalidCmdLen, FieldSourceAddr},
		{"body ends before esm_class", withLen(sub[:40]), StatusInvalidCmdLen, FieldESMClass},
		{"sm_length past the end", withLen(sub[:len(sub)-2]), StatusInvalidMsgLen, FieldShortMessage},
		{"truncated TLV header", withLen(append(slices.Clone(sub), 0x02, 0x04, 0x00)), StatusInvalidOptParamStream, 0},
		{"TLV length past the end", withLen(append(slices.Clone(sub), 0x02, 0x04, 0x00, 0x05, 1)), StatusInvalidOptParamStream, 0},
		{"bad dest_flag", func() []byte {
			b := slices.Clone(vector(t, "submit_multi"))
			b[bytes.Index(b, []byte("BRAND\x00"))+7] = 9
			return b
		}(), StatusInvalidDestFlag, FieldDestAddresses},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p PDU
			err := p.Decode(c.raw)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if !errors.Is(err, c.st) || de.Field != c.field {
				t.Errorf("err = %v (field %v), want status %v field %v", err, de.Field, c.st.Name(), c.field)
			}
			if p.Bytes() != nil {
				t.Errorf("a failed decode left a view")
			}
		})
	}
}

// PatchLen sets the command_length of the PDU in b to len(b).
func PatchLen(b []byte) {
	b[0], b[1], b[2], b[3] = byte(len(b)>>24), byte(len(b)>>16), byte(len(b)>>8), byte(len(b))
}

func TestValidate(t *testing.T) {
	long := func(n int) string { return string(bytes.Repeat([]byte("9"), n)) }
	cases := []struct {
		name string
		cmd  CommandID
		body *Body
		want Status
	}{
		{"ok", SubmitSM, subBody(0, 0, []byte("hi")), 0},
		{"source_addr too long", SubmitSM, &Body{Source: Address{Addr: long(21)}}, StatusInvalidSourceAddr},
		{"destination_addr too long", SubmitSM, &Body{Dest: Address{Addr: long(21)}}, StatusInvalidDestAddr},
		{"data_sm allows 64", DataSM, &Body{Dest: Address{Addr: long(64)}}, 0},
		{"system_id too long", BindTransmitter, &Body{SystemID: long(16)}, StatusInvalidSystemID},
		{"password too long", BindTransmitter, &Body{Password: long(9)}, StatusInvalidPassword},
		{"bad validity", SubmitSM, &Body{ValidityPeriod: "2607"}, StatusInvalidExpiry},
		{"short_message 255", SubmitSM, &Body{ShortMessage: bytes.Repeat([]byte("a"), 255)}, StatusInvalidMsgLen},
		{"short_message and message_payload", SubmitSM, &Body{ShortMessage: []byte("a"), TLVs: []TLV{{TagMessagePayload, []byte("b")}}}, StatusInvalidMsgLen},
		{"no destinations", SubmitMulti, &Body{}, StatusInvalidNumDests},
	}
	for _, c := range cases {
		raw, err := c.body.Encode(c.cmd, 0, 1)
		if err != nil {
			t.Fatalf("%s: encode: %v", c.name, err)
		}
		var p PDU
		if err := p.Decode(raw); err != nil {
			t.Fatalf("%s: decode: %v", c.name, err)
		}
		err = p.Validate()
		if c.want == 0 && err != nil || c.want != 0 && !errors.Is(err, c.want) {
			t.Errorf("%s: Validate = %v, want %v", c.name, err, c.want.Name())
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	for name, c := range map[string]struct {
		cmd  CommandID
		body *Body
	}{
		"NUL in a C-Octet String": {SubmitSM, &Body{Source: Address{Addr: "a\x00b"}}},
		"short_message too long":  {SubmitSM, &Body{ShortMessage: make([]byte, 256)}},
		"unknown command":         {0x1234, &Body{}},
		"bad dest_flag":           {SubmitMulti, &Body{Dests: []DestAddress{{Flag: 7}}}},
		"TLV too long":            {SubmitSM, &Body{TLVs: []TLV{{TagMessagePayload, make([]byte, 70000)}}}},
	} {
		dst := []byte("keep")
		out, err := c.body.Append(dst, c.cmd, 0, 1)
		if !errors.Is(err, ErrEncode) || string(out) != "keep" {
			t.Errorf("%s: err = %v, out %q", name, err, out)
		}
	}
}

// TestForwardFidelity is what the gateway does with a provider's PDU: copy
// the bytes, patch the sequence number in place, send. Everything else,
// odd data_coding, TLV order, duplicates and vendor tags included, must
// reach the SMSC unchanged.
func TestForwardFidelity(t *testing.T) {
	for _, name := range []string{"submit_sm UDH, duplicate and vendor TLVs", "submit_sm data_coding 0xF1",
		"submit_sm data_coding 0x18 (UCS-2 flash)", "deliver_sm receipt", "data_sm"} {
		in := vector(t, name)
		var p PDU
		if err := p.Decode(in); err != nil {
			t.Fatal(err)
		}
		out := slices.Clone(p.Bytes())
		PatchSeq(out, 0x7FFFFFFF)
		var q PDU
		if err := q.Decode(out); err != nil {
			t.Fatal(err)
		}
		if q.Seq() != 0x7FFFFFFF || !bytes.Equal(out[:12], in[:12]) || !bytes.Equal(out[16:], in[16:]) {
			t.Errorf("%s: forwarding changed more than the sequence number", name)
		}
		if q.DataCoding() != p.DataCoding() {
			t.Errorf("%s: data_coding %#x became %#x", name, p.DataCoding(), q.DataCoding())
		}
	}
	var p PDU
	if err := p.Decode(vector(t, "submit_sm UDH, duplicate and vendor TLVs")); err != nil {
		t.Fatal(err)
	}
	var tags []Tag
	for tlv := range p.TLVs() {
		tags = append(tags, tlv.Tag)
	}
	if want := []Tag{TagUserMessageReference, 0x1401, TagUserMessageReference}; !slices.Equal(tags, want) {
		t.Errorf("TLVs = %v, want %v", tags, want)
	}
	if v, ok := p.TLV(TagUserMessageReference); !ok || !bytes.Equal(v.Value, []byte{0, 1}) {
		t.Errorf("TLV() = %v %v, want the first of the duplicates", v, ok)
	}
}

// chunkReader returns its data in the given chunk sizes, then the rest.
type chunkReader struct {
	data  []byte
	sizes []int
}

func (c *chunkReader) Read(b []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := len(c.data)
	if len(c.sizes) > 0 {
		n = max(1, min(c.sizes[0], n))
		c.sizes = c.sizes[1:]
	}
	n = copy(b, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}

func TestReader(t *testing.T) {
	var stream []byte
	for _, v := range vectors {
		stream = append(stream, unhex(t, v.hex)...)
	}
	r := NewReader(&chunkReader{data: stream, sizes: []int{1, 2, 3, 15, 1, 16, 17, 100, 7}}, 0)
	for _, v := range vectors {
		b, err := r.Read(nil)
		if err != nil {
			t.Fatalf("%s: %v", v.name, err)
		}
		if !bytes.Equal(b, unhex(t, v.hex)) {
			t.Fatalf("%s: framing mismatch", v.name)
		}
	}
	if _, err := r.Read(nil); err != io.EOF {
		t.Errorf("end: err = %v, want io.EOF", err)
	}

	half := vector(t, "submit_sm")
	if _, err := NewReader(bytes.NewReader(half[:30]), 0).Read(nil); err != io.ErrUnexpectedEOF {
		t.Errorf("cut PDU: err = %v, want io.ErrUnexpectedEOF", err)
	}
	for _, n := range []uint32{0, 15, 64<<10 + 1, 0xFFFFFFFF} {
		h := AppendHeaderOnly(nil, SubmitSM, 0, 42)
		h[0], h[1], h[2], h[3] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
		_, err := NewReader(bytes.NewReader(h), 0).Read(nil)
		var fe *FrameError
		if !errors.As(err, &fe) || fe.Seq != 42 || !errors.Is(err, StatusInvalidCmdLen) {
			t.Errorf("command_length %d: err = %v", n, err)
		}
	}
}

// FuzzDecode feeds arbitrary streams, split at arbitrary points, through
// the framing reader and the decoder: nothing panics, framing does not
// depend on the split, and every PDU that decodes re-encodes to its bytes.
func FuzzDecode(f *testing.F) {
	for _, v := range vectors {
		f.Add(unhex(f, v.hex), uint8(3), uint8(7))
	}
	f.Add([]byte{0, 0, 0, 0x11, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0}, uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, s1, s2 uint8) {
		whole := readAll(NewReader(bytes.NewReader(data), 4096))
		split := readAll(NewReader(&chunkReader{data: data, sizes: []int{int(s1), int(s2), int(s1) + int(s2)}}, 4096))
		if len(whole) != len(split) {
			t.Fatalf("%d PDUs whole, %d split", len(whole), len(split))
		}
		for i, b := range whole {
			if !bytes.Equal(b, split[i]) {
				t.Fatalf("PDU %d differs when split", i)
			}
			var p PDU
			if err := p.Decode(b); err != nil {
				continue
			}
			_ = p.Validate()
			_, _, _ = p.Concat()
			_, _ = p.Text()
			_, _ = ReceiptOf(&p)
			re, err := p.Body().Encode(p.CommandID(), p.Status(), p.Seq())
			if err != nil {
				t.Fatalf("re-encode %v: %v", p.CommandID(), err)
			}
			if !bytes.Equal(re, b) {
				t.Fatalf("re-encode %v:\n got %X\nwant %X", p.CommandID(), re, b)
			}
		}
	})
}

func readAll(r *Reader) [][]byte {
	var out [][]byte
	for {
		b, err := r.Read(nil)
		if err != nil {
			return out
		}
		out = append(out, b)
	}
}

// BenchmarkSubmitSM is the SMSC's hot path: decode a submit_sm, read its
// fields, encode the response. The reference is gosmpp's parser on the
// same bytes (it reads the fields as it parses, and does not encode).
func BenchmarkSubmitSM(b *testing.B) {
	raw, err := subBody(0, 0, []byte("Promo -20% ce week-end ! STOP au 5050"),
		TLV{TagUserMessageReference, []byte{0, 1}}).Encode(SubmitSM, 0, 7)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("smpp", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(raw)))
		var p PDU
		out := make([]byte, 0, 64)
		id := "0123456789"
		n := 0
		for b.Loop() {
			if err := p.Decode(raw); err != nil {
				b.Fatal(err)
			}
			n += len(p.SourceAddr()) + len(p.DestAddr()) + len(p.ShortMessage()) + int(p.DataCoding()) + int(p.ESMClass())
			if _, ok := p.TLV(TagMessagePayload); ok {
				b.Fatal("payload")
			}
			out = AppendMessageIDResp(out[:0], SubmitSMResp, StatusOK, p.Seq(), id)
		}
		if n == 0 {
			b.Fatal("no fields")
		}
	})
	b.Run("smpp-body-append", func(b *testing.B) {
		b.ReportAllocs()
		var p PDU
		out := make([]byte, 0, 64)
		for b.Loop() {
			if err := p.Decode(raw); err != nil {
				b.Fatal(err)
			}
			resp := Body{MessageID: "0123456789"}
			out, _ = resp.Append(out[:0], SubmitSMResp, StatusOK, p.Seq())
		}
	})
	b.Run("gosmpp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			p, err := gosmpppdu.Parse(bytes.NewReader(raw))
			if err != nil {
				b.Fatal(err)
			}
			if p.(*gosmpppdu.SubmitSM).DestAddr.Address() == "" {
				b.Fatal("no dest")
			}
		}
	})
}

// TestHotPathAllocs: decoding, reading fields, iterating TLVs and encoding
// the response allocate nothing.
func TestHotPathAllocs(t *testing.T) {
	raw := vector(t, "submit_sm UDH, duplicate and vendor TLVs")
	var p PDU
	out := make([]byte, 0, 64)
	n := testing.AllocsPerRun(1000, func() {
		if err := p.Decode(raw); err != nil {
			t.Fatal(err)
		}
		k := len(p.SourceAddr()) + len(p.DestAddr()) + int(p.DataCoding())
		for tlv := range p.TLVs() {
			k += len(tlv.Value)
		}
		if c, ok, err := p.Concat(); err != nil || !ok || c.Total != 2 {
			t.Fatal("concat")
		}
		_, ud, _ := p.UserData()
		k += len(ud)
		out = AppendMessageIDResp(out[:0], SubmitSMResp, StatusOK, p.Seq(), "0123456789")
		if k == 0 {
			t.Fatal("no fields")
		}
	})
	if n != 0 {
		t.Errorf("%v allocations per submit_sm", n)
	}
}

// BenchmarkValidate is the check an SMSC makes of every submit_sm after
// decoding it.
func BenchmarkValidate(b *testing.B) {
	raw, err := subBody(0, 0, []byte("Promo -20% ce week-end ! STOP au 5050"),
		TLV{TagUserMessageReference, []byte{0, 1}}).Encode(SubmitSM, 0, 7)
	if err != nil {
		b.Fatal(err)
	}
	var p PDU
	if err := p.Decode(raw); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := p.Validate(); err != nil {
			b.Fatal(err)
		}
	}
}
