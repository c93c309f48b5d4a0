package textcheck

import (
	"strings"
	"testing"
)

// Our own sentences, beyond the corpus: each language, each form of the
// instruction, and the traps (words that contain or resemble a keyword,
// numbers that are not means). Unless a case says otherwise the sender is
// the alphanumeric MARQUE, with 5050 as its free channel and 5051 as its
// premium one, and 0800004545 as a free long number.
var defaultChannels = []Channel{{"5050", true}, {"5051", false}, {"0800004545", true}}

type optoutCase struct {
	text     string
	want     Verdict
	span     string // the instruction marked, as written in the text; "" for none
	sender   string // default MARQUE
	national string
	channels []Channel // default defaultChannels
}

var optoutCases = []optoutCase{
	// ---- French: the common forms ----
	{text: "Promo -20% ce week-end. STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! Pour ne plus recevoir nos offres, envoyez STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! Désabonnement : STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! STOP SMS 5050", want: Compliant, span: "STOP SMS 5050"},
	{text: "Soldes ! Stop sms au 5050.", want: Compliant, span: "Stop sms au 5050"},
	{text: "Soldes ! Envoyez ARRET au 5050", want: Compliant, span: "ARRET au 5050"},
	{text: "Soldes ! arrêt au 5050", want: Compliant, span: "arrêt au 5050"},
	{text: "Soldes ! Envoyez STOP au numéro 5050", want: Compliant, span: "STOP au numéro 5050"},
	{text: "Soldes ! Envoyez STOP au n° 5050", want: Compliant, span: "STOP au n° 5050"},
	{text: "Soldes ! Envoyez STOP par SMS au 5050", want: Compliant, span: "STOP par SMS au 5050"},
	{text: "Soldes ! Envoyez STOP gratuitement au 5050", want: Compliant, span: "STOP gratuitement au 5050"},
	{text: "Soldes ! Envoyez « STOP » au 5050", want: Compliant, span: "STOP » au 5050"},
	{text: "Soldes ! Envoyez le mot STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! Envoyez au 5050 le mot STOP", want: Compliant, span: "au 5050 le mot STOP"},
	{text: "Soldes ! Tapez STOP et envoyez-le au 5050", want: Compliant, span: "STOP et envoyez-le au 5050"},
	{text: "Soldes ! STOP → 5050", want: Compliant, span: "STOP → 5050"},
	{text: "Soldes ! STOP au ５０５０", want: Compliant, span: "STOP au ５０５０"},
	{text: "Soldes ! 𝐒𝐓𝐎𝐏 au 5050", want: Compliant, span: "𝐒𝐓𝐎𝐏 au 5050"},
	{text: "Soldes ! ST\u00adOP au 5050", want: Compliant, span: "ST\u00adOP au 5050"},
	{text: "Soldes ! S\u200dTOP\u2060 au 5050", want: Compliant, span: "S\u200dTOP\u2060 au 5050"},
	{text: "Soldes ! STOP au +212 800 00 45 45", want: Compliant, span: "STOP au +212 800 00 45 45"},
	{text: "Soldes ! STOP au 0800-00-45-45 (appel gratuit)", want: Compliant, span: "STOP au 0800-00-45-45"},
	{text: "Soldes ! DESABONNER au 5050", want: Compliant, span: "DESABONNER au 5050"},
	{text: "Soldes !\nSTOP\tau\n5050", want: Compliant, span: "STOP\tau\n5050"},
	{text: "stop au 5050 : soldes d'été jusqu'à -50% !", want: Compliant, span: "stop au 5050"},
	{text: "Soldes ! Envoyez STOP au 5050 (0 DH).", want: Compliant, span: "STOP au 5050"},
	// The national StopSMS channel, for every advertiser.
	{text: "Soldes ! STOP MARQUE au 3030", want: Compliant, span: "STOP MARQUE au 3030", national: "3030"},
	{text: "Soldes ! STOP ATLAS MARKET au 3030", want: Compliant, span: "STOP ATLAS MARKET au 3030", national: "3030"},
	{text: "Soldes ! STOP au 3030", want: Compliant, span: "STOP au 3030", national: "3030", channels: []Channel{}},
	{text: "Soldes ! STOP MARQUE au 3030", want: ChannelInvalid, span: "STOP MARQUE au 3030"}, // not configured
	// Reply to a numeric sender.
	{text: "Soldes ! Répondez STOP pour ne plus recevoir nos offres.", want: Compliant, span: "Répondez STOP", sender: "5050"},
	{text: "Soldes ! Pour vous désabonner, répondez à ce SMS par STOP", want: Compliant, span: "répondez à ce SMS par STOP", sender: "5050"},
	{text: "Soldes ! Désabonnement : STOP", want: Compliant, span: "STOP", sender: "5050"},
	{text: "Soldes ! Envoyez STOP", want: Compliant, span: "Envoyez STOP", sender: "5050"},
	{text: "Soldes ! Répondez STOP", want: ChannelInvalid, span: "Répondez STOP", sender: "5051"},
	{text: "Soldes ! Répondez STOP", want: ChannelInvalid, span: "Répondez STOP", sender: "6060"},
	{text: "Soldes ! Répondez STOP", want: MentionMissing, span: "Répondez STOP"},
	{text: "Soldes ! Envoyez STOP", want: MentionMissing, span: "Envoyez STOP"},
	{text: "Soldes d'hiver sur tout le magasin. STOP", want: MentionMissing, span: "STOP"},
	// Invalid means.
	{text: "Soldes ! STOP au 5051", want: ChannelInvalid, span: "STOP au 5051"},
	{text: "Soldes ! STOP au 6060", want: ChannelInvalid, span: "STOP au 6060"},
	{text: "Soldes ! STOP au 0522 45 67 89", want: ChannelInvalid, span: "STOP au 0522 45 67 89"},
	{text: "Soldes ! STOP au 5050", want: ChannelInvalid, span: "STOP au 5050", channels: []Channel{}},
	{text: "Soldes ! STOP au 5050 ou au 6060", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! STOP au 6060. Désabonnement : STOP au 5050", want: Compliant, span: "STOP au 5050"},
	// Traps: no instruction.
	{text: "Atlas Market dit STOP au gaspillage : paniers à 29 DH.", want: MentionMissing},
	{text: "Atlas Market dit STOP au gaspillage : paniers à 29 DH.", want: MentionMissing, sender: "5050"},
	{text: "Livraison non-stop au 5050 rue des Fleurs", want: MentionMissing},
	{text: "Ouvert sans arrêt de 9h à 21h. Infos au 0522 11 22 33", want: MentionMissing, sender: "5050"},
	{text: "Studios à 2 minutes de l'arrêt du tramway, dès 480 000 DH.", want: MentionMissing, sender: "5050"},
	{text: "Prochain arrêt au 12 boulevard Zerktouni : notre nouvelle boutique", want: MentionMissing},
	{text: "STOP aux prix élevés : tout à 99 DH", want: MentionMissing},
	{text: "Stop à 99 DH seulement, ce week-end", want: MentionMissing},
	{text: "Ne stoppez pas vos projets : crédit au 5050", want: MentionMissing},
	{text: "STOPMANIA au 5050 : tout doit disparaître", want: MentionMissing},
	{text: "Arrêtez de payer trop cher ! Appelez le 5050", want: MentionMissing},
	{text: "Pour vous désabonner : www.marque.ma/stop", want: MentionMissing, sender: "5050"},
	{text: "Pour vous désabonner : marque.ma/STOP?id=5050", want: MentionMissing},
	{text: "#STOPgaspi : paniers au 5050", want: MentionMissing},
	{text: "Le Stop & Go de Marrakech : 5050 places", want: MentionMissing},
	{text: "Envoyez OUI au 5050 pour jouer !", want: MentionMissing},
	{text: "Pour ne plus recevoir nos messages, contactez le 5050", want: MentionMissing},
	// Disguised keywords.
	{text: "Soldes ! S T O P au 5050", want: MentionMissing},
	{text: "Soldes ! S.T.O.P au 5050", want: MentionMissing},
	{text: "Soldes ! S-T-O-P au 5050", want: MentionMissing},
	{text: "Soldes ! S_T_O_P au 5050", want: MentionMissing},
	{text: "Soldes ! ST OP au 5050", want: MentionMissing},
	{text: "Soldes ! ST0P au 5050", want: MentionMissing},
	{text: "Soldes ! 5TOP au 5050", want: MentionMissing},
	{text: "Soldes ! ARR3T au 5050", want: MentionMissing},
	{text: "Soldes ! A R R E T au 5050", want: MentionMissing},

	// ---- Arabic ----
	{text: "تخفيضات 50%. للتوقف أرسل STOP إلى 5050", want: Compliant, span: "STOP إلى 5050"},
	{text: "تخفيضات. أرسل توقف إلى الرقم 5050", want: Compliant, span: "توقف إلى الرقم 5050"},
	{text: "تخفيضات. أرسل كلمة توقف إلى ٥٠٥٠", want: Compliant, span: "توقف إلى ٥٠٥٠"},
	{text: "تخفيضات. أرسل «توقف» للرقم 5050", want: Compliant, span: "توقف» للرقم 5050"},
	{text: "تخفيضات. أرسل إيقاف لـ٥٠٥٠", want: Compliant, span: "إيقاف لـ٥٠٥٠"},
	{text: "تخفيضات. لإلغاء الاشتراك أرسل إلغاء إلى 5050", want: Compliant, span: "إلغاء إلى 5050"},
	{text: "تخفيضات. أرسل إلى 5050 كلمة توقف", want: Compliant, span: "إلى 5050 كلمة توقف"},
	{text: "تخفيضات. أرسل STOP مجانا إلى ۵۰۵۰", want: Compliant, span: "STOP مجانا إلى ۵۰۵۰"},
	{text: "تخفيضات. أرسل تـوقـف إلى 5050", want: Compliant, span: "تـوقـف إلى 5050"},
	{text: "تخفيضات. أجب بكلمة توقف على هذه الرسالة", want: Compliant, span: "أجب بكلمة توقف", sender: "5050"},
	{text: "تخفيضات. أرسل توقف", want: MentionMissing, span: "أرسل توقف"},
	{text: "تخفيضات. للتوقف أرسل STOP إلى 5051", want: ChannelInvalid, span: "STOP إلى 5051"},
	{text: "تخفيضات. أرسل ت و ق ف إلى 5050", want: MentionMissing},
	{text: "لا تتوقف عن التسوق! اتصل بنا على 5050", want: MentionMissing, sender: "5050"},
	{text: "خدمة بلا توقف على مدار الساعة. اتصل بـ 0522 11 22 33", want: MentionMissing, sender: "5050"},
	{text: "تخفيضات. للتوقف: 5050", want: MentionMissing},

	// ---- Darija in Arabic letters ----
	{text: "الصولد بدا! صيفط STOP ل 5050", want: Compliant, span: "STOP ل 5050"},
	{text: "الصولد بدا! صيفط ستوب ل 5050", want: Compliant, span: "ستوب ل 5050"},
	{text: "الصولد بدا! صيفط STOP على 5050", want: Compliant, span: "STOP على 5050"},
	{text: "الصولد بدا! صيفط STOP للنمرة 5050", want: Compliant, span: "STOP للنمرة 5050"},
	{text: "الصولد بدا! إلا بغيتي توقف هاد الميساجات صيفط وقف ل 5050", want: Compliant, span: "وقف ل 5050"},
	{text: "الصولد بدا! جاوب ب ستوب باش توقف", want: Compliant, span: "جاوب ب ستوب", sender: "5050"},
	{text: "الصولد بدا! صيفط STOP ل 0661223344", want: ChannelInvalid, span: "STOP ل 0661223344"},
	{text: "ما تحبسش! الصولد مازال، عيط ل 0522 11 22 33", want: MentionMissing},
	{text: "الصولد بدا! صيفط ستوب باش توقف", want: MentionMissing, span: "صيفط ستوب"},

	// ---- Darija in Latin letters ----
	{text: "Promo jdida! Sift STOP l 5050", want: Compliant, span: "STOP l 5050"},
	{text: "Promo jdida! sift stop 3la 5050", want: Compliant, span: "stop 3la 5050"},
	{text: "Promo jdida! Sift W9EF l 5050", want: Compliant, span: "W9EF l 5050"},
	{text: "Promo jdida! Sift ARRET l numero 5050", want: Compliant, span: "ARRET l numero 5050"},
	{text: "Promo jdida! sift STOP fabor l 5050", want: Compliant, span: "STOP fabor l 5050"},
	{text: "Promo jdida! STOP l 5050 bla flous", want: Compliant, span: "STOP l 5050"},
	{text: "Promo jdida! Jaweb b STOP ila mabghitich had lmessages", want: Compliant, span: "Jaweb b STOP", sender: "5050"},
	{text: "Promo jdida! Sift STOP l 5051", want: ChannelInvalid, span: "STOP l 5051"},
	{text: "Ma tw9efch! Promo jdida, 3ayet l 0522 11 22 33", want: MentionMissing},
	{text: "Promo jdida! Sift stop bach tw9ef", want: MentionMissing, span: "Sift stop"},

	// ---- English ----
	{text: "Big sale! Reply STOP to 5050 to opt out", want: Compliant, span: "STOP to 5050"},
	{text: "Big sale! Text STOP to 5050 (free)", want: Compliant, span: "STOP to 5050"},
	{text: "Big sale! Send STOP to short code 5050", want: Compliant, span: "STOP to short code 5050"},
	{text: "Big sale! Text the word STOP to 5050", want: Compliant, span: "STOP to 5050"},
	{text: "Big sale! Text 5050 with STOP to opt out", want: Compliant, span: "5050 with STOP"},
	{text: "Big sale! Reply END to 5050", want: Compliant, span: "END to 5050"},
	{text: "Big sale! Reply STOP to unsubscribe", want: Compliant, span: "Reply STOP", sender: "5050"},
	{text: "Big sale! Reply STOP to unsubscribe", want: MentionMissing, span: "Reply STOP"},
	{text: "Big sale ends at 5050 stores this Sunday", want: MentionMissing},
	{text: "Non-stop deals all weekend in 5050 stores", want: MentionMissing},
	{text: "Next stop: 5050 Main Street, our new store", want: MentionMissing},
	{text: "We never stop: call 0522 11 22 33", want: MentionMissing},
	{text: "Don't stop believing, 5050 prizes to win", want: MentionMissing, sender: "5050"},
	{text: "Your next bus stop could be 5050 km away", want: MentionMissing},
	{text: "Send a message to stop smoking, our coach answers", want: MentionMissing, sender: "5050"},

	// ---- Spanish ----
	{text: "¡Rebajas! Envía STOP al 5050", want: Compliant, span: "STOP al 5050"},
	{text: "¡Rebajas! Responde STOP al 5050 para darte de baja", want: Compliant, span: "STOP al 5050"},
	{text: "¡Rebajas! Manda STOP al número 5050", want: Compliant, span: "STOP al número 5050"},
	{text: "¡Rebajas! Para darte de baja, envía STOP gratis al 5050", want: Compliant, span: "STOP gratis al 5050"},
	{text: "¡Rebajas! Responde STOP para no recibir más mensajes", want: Compliant, span: "Responde STOP", sender: "5050"},
	{text: "¡Rebajas! Envía STOP al 5051", want: ChannelInvalid, span: "STOP al 5051"},
	// BAJA is not a keyword of the Moroccan channels (RULES.md): a
	// subscriber who sends it is not opted out.
	{text: "¡Rebajas! Envía BAJA al 5050", want: MentionMissing},
	{text: "¡Stop a los precios altos! Desde 99 DH", want: MentionMissing},
	{text: "Ofertas sin parar. Para darte de baja visita x.ma/baja", want: MentionMissing},

	// ---- More shapes ----
	{text: "Soldes ! Pour ne plus recevoir de SMS de notre part, répondez STOP au 5050.", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! Envoyez STOP par SMS (gratuit) au 5050.", want: Compliant, span: "STOP par SMS (gratuit) au 5050"},
	{text: "Soldes ! STOP SMS : 5050", want: Compliant, span: "STOP SMS : 5050"},
	{text: "Soldes ! Stop pub : 5050", want: Compliant, span: "Stop pub : 5050"},
	{text: "Soldes ! Envoyez STOP au 5 050", want: Compliant, span: "STOP au 5 050"},
	{text: "Soldes ! Envoyez \"STOP\" au \"5050\"", want: Compliant, span: "STOP\" au \"5050"},
	{text: "Soldes ! Désinscription par SMS au 5050 avec le mot STOP", want: Compliant, span: "au 5050 avec le mot STOP"},
	{text: "Soldes ! Tapez STOP puis envoyez au 5050", want: Compliant, span: "STOP puis envoyez au 5050"},
	{text: "Soldes ! STOP au 5050 ou sur marque.ma/stop", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! STOP au 5050 (0,50 DH)", want: Compliant, span: "STOP au 5050"},
	{text: "Soldes ! STOP au 05 22 50 50 50", want: ChannelInvalid, span: "STOP au 05 22 50 50 50"},
	{text: "Soldes à -50 % ! STOP à 2 500 DH", want: MentionMissing},
	{text: "Soldes ! Arrêt au 5e étage du centre commercial", want: MentionMissing},
	{text: "Promo spéciale stop-prix au 5050 rue Zerktouni", want: MentionMissing},
	{text: "Soldes jusqu'à dimanche. Nos magasins ne s'arrêtent jamais !", want: MentionMissing, sender: "5050"},
	{text: "Soldes! Non stop!", want: MentionMissing, sender: "5050"},
	{text: "Soldes ! S/T/O/P au 5050", want: MentionMissing},
	{text: "Soldes ! S*T*O*P au 5050", want: MentionMissing},
	{text: "Soldes ! Sтоп au 5050", want: MentionMissing}, // Cyrillic letters: not the keyword a subscriber can type
	{text: "عروض! لإيقاف الرسائل: STOP 5050", want: Compliant, span: "STOP 5050"},
	{text: "عروض! للتوقف عن تلقي الرسائل أرسل كلمة STOP إلى الرقم ٥٠٥٠ مجانا", want: Compliant, span: "STOP إلى الرقم ٥٠٥٠"},
	{text: "برومو! باش توقف الميساجات صيفط STOP فابور ل 5050", want: Compliant, span: "STOP فابور ل 5050"},
	{text: "توقف عن الدفع أكثر! تخفيضات في 5050 متجر", want: MentionMissing},
	{text: "Sale! To stop receiving these messages, text STOP to 5050", want: Compliant, span: "STOP to 5050"},
	{text: "Sale! To stop these messages call 5050", want: MentionMissing},
	{text: "Sale! Stop wasting money: visit us at 5050 Hassan II Avenue", want: MentionMissing},
	{text: "Sale! Opt-out: STOP 5050", want: Compliant, span: "STOP 5050"},
	{text: "¡Oferta! Darse de baja: STOP al 5050", want: Compliant, span: "STOP al 5050"},
	{text: "Soldes ! STOP5050", want: Compliant, span: "STOP5050"},
	{text: "Soldes ! ARRET3030", want: ChannelInvalid, span: "ARRET3030"},
	{text: "Promo STOPMANIA2025 : tout à -50%", want: MentionMissing},
	{text: "Promo : www.marque.ma/stop5050", want: MentionMissing},
	{text: "عروض! أرسل STOP للرقم المجاني 5050", want: Compliant, span: "STOP للرقم المجاني 5050"},
	{text: "Sale! Text STOP to our free number 5050", want: Compliant, span: "STOP to our free number 5050"},
	{text: "Soldes ! STOP ATLAS MARKET CASA au 3030", want: Compliant, span: "STOP ATLAS MARKET CASA au 3030", national: "3030"},
	// ---- Paraphrases of the instruction, and more traps ----
	{text: "أطلس ماركت: تخفيضات كبرى! لإيقاف هذه الرسائل أرسل STOP على الرقم 5050", want: Compliant, span: "STOP على الرقم 5050"},
	{text: "أطلس ماركت: تخفيضات كبرى! لإلغاء الاشتراك في رسائلنا أرسل كلمة إلغاء إلى 5050", want: Compliant, span: "إلغاء إلى 5050"},
	{text: "أطلس ماركت: تخفيضات كبرى! إذا لم تعد ترغب في تلقي رسائلنا، أرسل توقف إلى 5050", want: Compliant, span: "توقف إلى 5050"},
	{text: "أطلس ماركت: تخفيضات كبرى! للتوقف عن التوصل برسائلنا: STOP إلى 5050", want: Compliant, span: "STOP إلى 5050"},
	{text: "أطلس ماركت: تخفيضات كبرى! (للتوقف أرسل STOP إلى 5050)", want: Compliant, span: "STOP إلى 5050"},
	{text: "أطلس ماركت: الصولد! باش ما يبقاوش يوصلوك الميساجات، سيفط STOP ل 5050", want: Compliant, span: "STOP ل 5050"},
	{text: "أطلس ماركت: الصولد! صيفط كلمة STOP للرقم 5050 باش توقف", want: Compliant, span: "STOP للرقم 5050"},
	{text: "Atlas Market: soldes! Ila ma bghitich twslek had l msg, sifet STOP l 5050", want: Compliant, span: "STOP l 5050"},
	{text: "Atlas Market: soldes! Bach twe9ef had l'messages: STOP l 5050 (fabor)", want: Compliant, span: "STOP l 5050"},
	{text: "Atlas Market: soldes! Sift \"STOP\" l raqm 5050", want: Compliant, span: "STOP\" l raqm 5050"},
	{text: "Atlas Market : soldes ! Pour ne plus recevoir nos promotions, envoyez STOP par SMS au 5050.", want: Compliant, span: "STOP par SMS au 5050"},
	{text: "Atlas Market : soldes ! SMS STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Atlas Market: sale! To opt out reply STOP to 5050", want: Compliant, span: "STOP to 5050"},
	{text: "Atlas Market: ¡ofertas! Para cancelar la suscripción, envía STOP al 5050.", want: Compliant, span: "STOP al 5050"},
	{text: "أطلس ماركت: تخفيضات كبرى! للتوقف أرسل STOP", want: MentionMissing, span: "أرسل STOP"},
	{text: "أطلس ماركت: تخفيضات كبرى! للاستفسار اتصل على 0522 50 50 50", want: MentionMissing, span: ""},
	{text: "Atlas Market : ne vous arrêtez pas en si bon chemin, -30% au 2ème article !", want: MentionMissing, span: ""},
	{text: "Atlas Market : arrêt sur image ! Nos prix au 5050 rue Allal Ben Abdellah", want: MentionMissing, span: ""},
	{text: "Atlas Market: the sale that never stops! Visit 5050 Main Street", want: MentionMissing, span: ""},
	{text: "Atlas Market: S T O P au 5050 pour ne plus recevoir nos offres", want: MentionMissing, span: ""},
	{text: "أطلس ماركت: عروض لا تتوقف طيلة الأسبوع! 5050 منتج بثمن مخفض", want: MentionMissing, span: ""},
	{text: "أطلس ماركت: تخفيضات كبرى! للتوقف أرسل STOP إلى 5055", want: ChannelInvalid, span: "STOP إلى 5055"},
	{text: "Atlas Market: soldes! Sift STOP l 0661 22 33 44", want: ChannelInvalid, span: "STOP l 0661 22 33 44"},
	{text: "Atlas Market : soldes ! Envoyez STOP au 5051 (1 DH/SMS)", want: ChannelInvalid, span: "STOP au 5051"},
	{text: "Atlas Market : soldes ! Désinscription : STOP au 5050 | Infos : 0522 50 50 50", want: Compliant, span: "STOP au 5050"},
	{text: "Atlas Market : soldes ! Infos : 0522 50 50 50 - STOP au 5050", want: Compliant, span: "STOP au 5050"},
	{text: "Atlas Market : soldes ! STOP au 5050. Jeu : envoyez OUI au 7777.", want: Compliant, span: "STOP au 5050"},
	{text: "Atlas Market : soldes ! Jeu : envoyez OUI au 5050. Stoppez les frais bancaires !", want: MentionMissing, span: ""},
	// ---- Mixed ----
	{text: "Soldes / تخفيضات. Pour arrêter / للتوقف : STOP 5050", want: Compliant, span: "STOP 5050"},
	{text: "Soldes. Désabonnement / إلغاء الاشتراك: STOP 5050", want: Compliant, span: "STOP 5050"},
	{text: "Soldes \u202bللتوقف أرسل STOP إلى 5050\u202c", want: Compliant, span: "STOP إلى 5050"},
}

func TestFinderSentences(t *testing.T) {
	c := NewChecker()
	for _, tc := range optoutCases {
		in := Input{Text: tc.text, Sender: "MARQUE", Channels: defaultChannels, National: tc.national}
		if tc.sender != "" {
			in.Sender = tc.sender
		}
		if tc.channels != nil {
			in.Channels = tc.channels
		}
		r := c.Check(&in)
		span := ""
		if s, e, ok := r.Span(); ok {
			span = tc.text[s:e]
		}
		if r.Verdict != tc.want || span != tc.span {
			t.Errorf("%q (sender %s):\n  got  %s [%s]\n  want %s [%s]\n  reason: %s",
				tc.text, in.Sender, r.Verdict, span, tc.want, tc.span, r.Reason(&in))
		}
		if reason := r.Reason(&in); reason == "" || strings.Contains(reason, "%!") {
			t.Errorf("%q: bad reason %q", tc.text, reason)
		}
	}
}

// FuzzCheck runs the finder and the classifier on any text and sender:
// no panic, spans inside the text, an instruction span that holds its
// keyword, a verdict and a reason, no allocation once warmed up.
func FuzzCheck(f *testing.F) {
	for _, c := range optoutCases {
		f.Add(c.text, "MARQUE", false)
	}
	f.Add("Répondez STOP", "5050", false)
	f.Add("Votre code : 4521. -20% avec le code MERCI20", "INFO", true)
	f.Add("STOP au +212 5 22 45 67 89 0 0 0 0 0", "5050", false)
	c := NewChecker()
	f.Fuzz(func(t *testing.T, text, sender string, transactional bool) {
		in := Input{Text: text, Sender: sender, Channels: defaultChannels, National: "3030"}
		if transactional {
			in.Category = Transactional
		}
		r := c.Check(&in)
		if !r.Verdict.OK() && r.Verdict != MentionMissing && r.Verdict != ChannelInvalid && r.Verdict != MislabelledCommercial {
			t.Fatalf("verdict %d", r.Verdict)
		}
		if transactional != (r.Verdict == OKTransactional || r.Verdict == MislabelledCommercial) {
			t.Fatalf("verdict %s for category %s", r.Verdict, in.Category)
		}
		if s, e, ok := r.Span(); ok {
			ins := r.Instruction
			if s < 0 || e > len(text) || s >= e {
				t.Fatalf("span [%d,%d) outside the %d bytes of %q", s, e, len(text), text)
			}
			if ins.KeywordStart < s || ins.KeywordEnd > e || ins.KeywordStart >= ins.KeywordEnd {
				t.Fatalf("keyword [%d,%d) outside the span [%d,%d) of %q", ins.KeywordStart, ins.KeywordEnd, s, e, text)
			}
		} else if r.Verdict == Compliant || r.Verdict == ChannelInvalid {
			t.Fatalf("%s without an instruction: %q", r.Verdict, text)
		}
		if r.DisguisedEnd > len(text) || r.DisguisedStart > r.DisguisedEnd {
			t.Fatalf("disguised span [%d,%d) outside %q", r.DisguisedStart, r.DisguisedEnd, text)
		}
		for i := 0; i < r.Class.NEvidence; i++ {
			if e := r.Class.Evidence[i]; e.Start < 0 || e.End > len(text) || e.Start > e.End {
				t.Fatalf("evidence [%d,%d) outside %q", e.Start, e.End, text)
			}
		}
		if r.Reason(&in) == "" {
			t.Fatal("empty reason")
		}
		// The same text again: the buffers have grown, nothing allocates.
		if n := testing.AllocsPerRun(1, func() { c.Check(&in) }); n != 0 {
			t.Fatalf("%v allocations checking %q", n, text)
		}
	})
}
