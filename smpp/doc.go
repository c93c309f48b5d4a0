// Package smpp speaks SMPP 3.4 on both sides of a link: as an SMSC to the
// ESMEs that bind to it (Server) and as an ESME to an SMSC (Dial).
//
// The package has three layers, each usable alone:
//
//   - The codec (PDU, Body, Reader). A PDU is a zero-copy view over the raw
//     bytes of one protocol data unit: mandatory fields are sub-slices of
//     those bytes and the optional parameters (TLVs) are read in wire order,
//     duplicates and vendor tags included. Nothing is re-encoded unless asked
//     to, so a PDU forwarded with PatchSeq reaches its peer byte for byte;
//     Body builds new PDUs. Decoding a submit_sm, reading its fields and
//     encoding its response allocate nothing.
//   - Text (DataCoding, GSM 03.38, Latin-1, UCS-2, UDH and SAR concatenation,
//     Reassembler, Splitter, Receipt): what a gateway needs to read the
//     content of a message and to write its own.
//   - Sessions (Conn, Server, Dial): the bind handshake with an
//     authentication hook, a sequence space per direction, a window of
//     outstanding requests with back-pressure, response time-outs,
//     enquire_link keep-alive and dead-peer detection, generic_nack for what
//     cannot be understood (the bind stays up), a command_length cap,
//     throttling back-off, graceful unbind and TLS. Inbound requests are
//     handled concurrently and may be answered later and out of order, so a
//     slow decision never blocks the link.
//
// For the rate of the link, a proxy uses the non-blocking forms: an
// InlineHandler decides on the session's reader goroutine (no goroutine
// per request), SendAsync and SendPDUAsync forward without waiting and
// call back with the response, and RecycleRequests reuses each Request
// once answered. The reader writes the answers to everything it read in
// one system call before it waits again, as a hand-written server does;
// a sender alone on an idle link writes its request itself. The package
// example of InlineHandler is such a proxy.
//
// Names follow Go style (SubmitSM, StatusInvalidDestAddr); the doc comment of
// each constant gives the specification's name (submit_sm, ESME_RINVDSTADR).
package smpp
