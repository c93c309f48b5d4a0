// A node-smpp (npm smpp 0.5.1) SMSC for TestNodeSMSC, an independent peer
// our client binds to. It accepts one account, answers every submit_sm
// with an id "node-N", sends a delivery receipt for each one that asks,
// then two MO messages (plain and Arabic), and reports every PDU as a JSON
// line on stdout. It exits when stdin closes.
'use strict';
const smpp = require('smpp');

const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const hex = (b) => (Buffer.isBuffer(b) ? b.toString('hex') : '');
const text = (m) => (m && typeof m === 'object' && 'message' in m ? String(m.message) : String(m));

const server = smpp.createServer((session) => {
	let n = 0;
	let receipts = 0;
	session.on('error', (e) => out({ event: 'error', error: String(e) }));
	session.on('bind_transceiver', (pdu) => {
		if (pdu.system_id !== 'bawwab' || pdu.password !== 'secret') {
			session.send(pdu.response({ command_status: smpp.ESME_RINVPASWD }));
			out({ event: 'bind_refused', system_id: pdu.system_id });
			return;
		}
		session.send(pdu.response({ system_id: 'nodesmsc' }));
		out({ event: 'bound', system_id: pdu.system_id, interface_version: pdu.interface_version });
	});
	session.on('submit_sm', (pdu) => {
		n++;
		const id = 'node-' + n;
		const sm = pdu.short_message || {};
		out({
			event: 'submit_sm', seq: pdu.sequence_number, id: id,
			source: pdu.source_addr, source_ton: pdu.source_addr_ton, dest: pdu.destination_addr,
			data_coding: pdu.data_coding, esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery,
			text: text(sm), udh: (sm.udh || []).map(hex),
		});
		session.send(pdu.response({ message_id: id }));
		if (!(pdu.registered_delivery & 1)) {
			return;
		}
		const receipt = 'id:' + id + ' sub:001 dlvrd:001 submit date:2607151230 done date:2607151231 stat:DELIVRD err:000 text:' +
			text(sm).slice(0, 20).replace(/[^ -~]/g, '?');
		session.deliver_sm({
			source_addr: pdu.destination_addr, source_addr_ton: 1, source_addr_npi: 1,
			destination_addr: pdu.source_addr, dest_addr_ton: pdu.source_addr_ton,
			esm_class: 4, short_message: receipt, receipted_message_id: id, message_state: 2,
		}, (resp) => {
			out({ event: 'receipt_resp', id: id, status: resp.command_status });
			if (++receipts === 1) {
				sendMOs(session);
			}
		});
	});
	session.on('enquire_link', (pdu) => {
		session.send(pdu.response());
		out({ event: 'enquire_link' });
	});
	session.on('unbind', (pdu) => {
		session.send(pdu.response());
		out({ event: 'unbind' });
		session.close();
	});
	session.on('unknown', (pdu) => session.send(pdu.response()));
});

function sendMOs(session) {
	session.deliver_sm({
		source_addr: '212612345678', source_addr_ton: 1, source_addr_npi: 1,
		destination_addr: '5050', short_message: 'STOP',
	}, (resp) => {
		out({ event: 'mo_resp', text: 'STOP', status: resp.command_status });
		session.deliver_sm({
			source_addr: '212612345678', source_addr_ton: 1, source_addr_npi: 1,
			destination_addr: '5050', data_coding: 8, short_message: 'توقف',
		}, (resp) => out({ event: 'mo_resp', text: 'توقف', status: resp.command_status }));
	});
}

server.listen(0, '127.0.0.1', () => out({ event: 'listening', port: server.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
