package mo

// The texts sent back to subscribers, in French and in Arabic: two SMS,
// one per language, rather than one bilingual text. Arabic forces the
// UCS-2 encoding, which holds 67 characters per part of a concatenated
// SMS; a bilingual confirmation (about 230 characters) would need four
// parts, while the French alone fits one or two GSM 7-bit parts (153
// characters each) and the Arabic alone two UCS-2 parts. Each text is kept
// within two parts: the French within 306 GSM 7-bit characters (so it
// avoids ê, ç, â, î, ô, û, œ and typographic quotes, which are not in the
// GSM 03.38 alphabet and would switch it to UCS-2), the Arabic within 134
// UCS-2 characters. Names that would overflow are shortened (reply.go);
// the tests check every template with long names.
//
// Keywords are written in Latin capitals in both languages (STOP, START,
// QUI): every phone can type them and the engine reads them whatever the
// language of the rest. The Arabic is Modern Standard Arabic in plain
// words, as Moroccan operators write to their subscribers.
//
// Placeholders:
//
//	{code}      the channel written to ("3030")
//	{what}      what was stopped or started: names joined ("Atlas Market و Marjane")
//	{de_what}   the same with French "de", elided ("d'Atlas Market et de Marjane")
//	{undo}      the command that undoes a STOP ("START ATLASMKT", "START")
//	{redo}      the command that undoes a START ("STOP ATLASMKT", "STOP")
//	{owner}     the owner of the channel ({de_owner}: with French "de")
//	{name}      a brand's name
//	{contact}   the advertiser's contact details from the registry
//	{senders}   its providers, with their ANRT declarations when they fit
//	{decl}      a provider's ANRT declaration
//	{stop}      how to stop that brand on this channel ("STOP ATLASMKT", "STOP")
//	{kw}        the keyword the subscriber used, canonical (STOP, START, QUI)
//	{typed}     what the subscriber wrote as a brand, quoted back
//	{try}       the commands for the closest candidates ("STOP ATLASMKT (Atlas Market) ou STOP ATLASMOTO (Atlas Moto)")

type templateID uint8

const (
	tStopAll templateID = iota
	tStopBrands
	tStartAll
	tStartBrands
	tHelpNational
	tHelpOwn
	tContactAdvertiser
	tContactProvider
	tNoBrand
	tUnknownBrand
	tAmbiguousBrand
	tNotUnderstood
	nTemplates
)

type template struct{ fr, ar string }

var templates = [nTemplates]template{
	tStopAll: {
		fr: "Vous ne recevrez plus aucun SMS commercial. Pour les recevoir à nouveau, envoyez START ALL au {code}.",
		ar: "لن تتوصل بعد الآن بأي رسالة تجارية. لاستقبالها من جديد أرسل START ALL إلى {code}.",
	},
	tStopBrands: {
		fr: "Vous ne recevrez plus de SMS commerciaux {de_what}. Pour les recevoir à nouveau, envoyez {undo} au {code}.",
		ar: "لن تتوصل بعد الآن بالرسائل التجارية من {what}. لاستقبالها من جديد أرسل {undo} إلى {code}.",
	},
	tStartAll: {
		fr: "Votre opposition à tous les SMS commerciaux est levée ; vos oppositions à une marque restent en place. Pour n'en recevoir aucun, envoyez STOP ALL au {code}.",
		ar: "رفعنا اعتراضك على كل الرسائل التجارية، ويبقى اعتراضك على علامات بعينها قائما. لإيقاف الكل أرسل STOP ALL إلى {code}.",
	},
	tStartBrands: {
		fr: "Vous recevrez à nouveau les SMS commerciaux {de_what}. Pour ne plus les recevoir, envoyez {redo} au {code}.",
		ar: "ستتوصل من جديد بالرسائل التجارية من {what}. لإيقافها أرسل {redo} إلى {code}.",
	},
	tHelpNational: {
		fr: "StopSMS {code}, gratuit : envoyez STOP MARQUE pour ne plus recevoir les SMS commerciaux d'une marque, STOP ALL pour n'en recevoir aucun, START MARQUE ou START ALL pour les recevoir à nouveau, QUI MARQUE pour savoir qui les envoie.",
		ar: "StopSMS {code} مجاني: STOP واسم العلامة لإيقافها، STOP ALL للكل، START للاستئناف، QUI واسم العلامة لمعرفة المرسل.",
	},
	tHelpOwn: {
		fr: "Le {code} est le numéro gratuit de désabonnement {de_owner}. Envoyez STOP pour ne plus recevoir ses SMS commerciaux, START pour les recevoir à nouveau, QUI pour savoir qui vous écrit.",
		ar: "{code} رقم مجاني لإيقاف رسائل {owner}. أرسل STOP لإيقافها، START لاستئنافها، QUI لمعرفة المرسل.",
	},
	tContactAdvertiser: {
		fr: "{name} : {contact}. Envoyé par {senders}. Pour ne plus en recevoir : {stop} au {code}.",
		ar: "{name}: {contact}. المرسل: {senders}. للإيقاف أرسل {stop} إلى {code}.",
	},
	tContactProvider: {
		fr: "{name} : prestataire SMS déclaré à l'ANRT ({decl}). Pour ne plus recevoir ses SMS : {stop} au {code}.",
		ar: "{name}: مزود رسائل مصرح به لدى ANRT ({decl}). للإيقاف أرسل {stop} إلى {code}.",
	},
	tNoBrand: {
		fr: "Pour savoir qui vous écrit, envoyez QUI suivi du nom de la marque ou de l'expéditeur affiché, au {code}.",
		ar: "لمعرفة المرسل أرسل QUI متبوعا باسم العلامة أو المرسل كما يظهر، إلى {code}.",
	},
	tUnknownBrand: {
		fr: "Marque \"{typed}\" introuvable. Envoyez {kw} suivi du nom de la marque ou de l'expéditeur affiché, au {code}. Aide : AIDE.",
		ar: "لم نجد العلامة \"{typed}\". أرسل {kw} متبوعا باسم العلامة أو المرسل كما يظهر، إلى {code}. للمساعدة أرسل AIDE.",
	},
	tAmbiguousBrand: {
		fr: "\"{typed}\" peut désigner plusieurs marques. Envoyez {try} au {code}.",
		ar: "\"{typed}\" قد يعني أكثر من علامة. أرسل {try} إلى {code}.",
	},
	// tNotUnderstood is followed by the help of the channel.
	tNotUnderstood: {
		fr: "Message non compris. ",
		ar: "لم نفهم رسالتك. ",
	},
}

// Words the replies compose with.
var (
	// A provider named as a scope: everything it sends.
	providerSuffix = template{fr: " (toutes ses marques)", ar: " (كل علاماته)"}
	// Joining two names, and the last of three.
	andWord = template{fr: " et ", ar: " و"}
	// Between two commands to choose from.
	orWord = template{fr: " ou ", ar: " أو "}
	// An advertiser without contact details in the registry.
	noContact = template{fr: "contact non renseigné", ar: "معلومات الاتصال غير متوفرة"}
	// A provider whose declaration the registry lacks.
	noDecl = template{fr: "déclaration non renseignée", ar: "رقم التصريح غير متوفر"}
	// An advertiser without a provider in the registry.
	noProvider = template{fr: "prestataire non renseigné", ar: "المزود غير متوفر"}
	// Before a provider's declaration number in {senders}.
	declPrefix = template{fr: "ANRT ", ar: "ANRT "}
)
