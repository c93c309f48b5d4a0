// A node-smpp (npm smpp 0.5.1) ESME for TestNodeClient: it binds to our
// server, submits, then writes malformed PDUs straight on the socket (a
// body cut short, a TLV longer than what follows, an unknown command_id),
// each of which must get a generic_nack without losing the bind, submits
// again, takes a delivery receipt, and unbinds. Every step is a JSON line
// on stdout. Usage: node client.js HOST PORT
'use strict';
const smpp = require('smpp');

const [host, port] = process.argv.slice(2);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const text = (m) => (m && typeof m === 'object' && 'message' in m ? String(m.message) : String(m));

// pdu builds raw bytes: a header and a body, command_length filled in.
function pdu(commandID, seq, body) {
	const b = Buffer.alloc(16);
	b.writeUInt32BE(16 + body.length, 0);
	b.writeUInt32BE(commandID, 4);
	b.writeUInt32BE(0, 8);
	b.writeUInt32BE(seq, 12);
	return Buffer.concat([b, body]);
}

// A well-formed submit_sm body, to cut or extend.
const body = Buffer.concat([
	Buffer.from([0]), // service_type
	Buffer.from([5, 0]), Buffer.from('BRAND\0'),
	Buffer.from([1, 1]), Buffer.from('212612345678\0'),
	Buffer.from([0, 0, 0]), Buffer.from([0]), Buffer.from([0]), // esm_class..priority, schedule, validity
	Buffer.from([0, 0, 0, 0]), // registered_delivery, replace, data_coding, sm_default_msg_id
	Buffer.from([5]), Buffer.from('Hello'),
]);

const malformed = [
	{ name: 'truncated body', seq: 1001, raw: pdu(0x00000004, 1001, body.subarray(0, 8)) },
	{ name: 'bad TLV length', seq: 1002, raw: pdu(0x00000004, 1002, Buffer.concat([body, Buffer.from([0x04, 0x24, 0x00, 0x09, 0x41])])) },
	{ name: 'unknown command_id', seq: 1003, raw: pdu(0x00000099, 1003, Buffer.alloc(0)) },
];

const session = smpp.connect({ host: host, port: Number(port) });
session.on('error', (e) => {
	out({ event: 'error', error: String(e) });
	process.exit(1);
});
session.on('deliver_sm', (p) => {
	out({ event: 'deliver_sm', esm_class: p.esm_class, text: text(p.short_message), receipted_message_id: p.receipted_message_id });
	session.send(p.response());
});
let nacks = 0;
session.on('generic_nack', (p) => {
	out({ event: 'generic_nack', seq: p.sequence_number, status: p.command_status });
	if (++nacks === malformed.length) {
		submit('After the bad ones', () => {});
	}
});

function submit(msg, next) {
	session.submit_sm({
		source_addr: 'BRAND', source_addr_ton: 5, destination_addr: '212612345678', dest_addr_ton: 1, dest_addr_npi: 1,
		registered_delivery: 1, short_message: msg,
	}, (resp) => {
		out({ event: 'submit_sm_resp', text: msg, status: resp.command_status, message_id: resp.message_id });
		next();
	});
}

session.on('connect', () => {
	session.bind_transceiver({ system_id: 'nodeesme', password: 'pw' }, (resp) => {
		out({ event: 'bind_resp', status: resp.command_status, system_id: resp.system_id });
		if (resp.command_status !== 0) {
			process.exit(1);
		}
		submit('Hello from node', () => {
			for (const m of malformed) {
				out({ event: 'malformed', name: m.name, seq: m.seq });
				session.socket.write(m.raw);
			}
		});
	});
});

// The Go test writes "unbind" on stdin when it has seen enough.
process.stdin.on('data', (d) => {
	if (String(d).includes('unbind')) {
		session.unbind((resp) => {
			out({ event: 'unbind_resp', status: resp.command_status });
			session.close();
		});
	}
});
session.on('close', () => {
	out({ event: 'closed' });
	process.exit(0);
});
