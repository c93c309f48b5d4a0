package textcheck

// The features of the classifier, as word lists a reviewer can read and
// sign (FEATURES.md explains them). Each entry is a phrase, written as
// people write it and normalised when the lexicon is built; "#" stands for
// a number (digits in groups: "24 900"), "$" for a currency word (DH, MAD,
// درهم). Apostrophes and hyphens inside a phrase are ignored
// ("jusqu'à" is "jusqu a", "week-end" is "week end"). The longest phrase
// that matches at a word wins, so "nouveau solde" (a balance: transactional)
// is not read as "nouveau" (a new product: commercial).
//
// The weight is what a phrase adds to the commercial score: 2 for a phrase
// that on its own makes a text prospecting (a discount, a contest, "au lieu
// de"), 1 for a cue that needs another (an imperative, "new", "only"), 0 for
// the transactional phrases, which count on the other side.

// Feature is a class of evidence the classifier weighs.
type Feature uint8

const (
	FeatureNone Feature = iota
	// Commercial prospecting.
	FeatureDiscount  // promo, soldes, réduction, -30 %, au lieu de, 2x1, تخفيض, خصم, rebajas
	FeaturePrice     // à partir de 99 DH, dès 199 DH, from 299 MAD, ابتداء من, seulement
	FeatureFree      // gratuit, offert, cadeau, free, مجانا, هدية, fabor
	FeatureContest   // concours, gagnez, tirage, win, prize, sorteo, اربح, مسابقة, rbe7
	FeatureAction    // profitez, découvrez, shop now, aprovecha, استفد, dkhol
	FeatureUrgency   // offre limitée, dernières places, today only, سارعوا, daba
	FeatureNovelty   // nouveau, new, nuevo, جديد, jdid, nouvelle collection
	FeatureOffer     // offre, offer, oferta, عرض, inscriptions ouvertes, crédit auto
	FeatureReferral  // parrainez, refer a friend
	FeaturePromoCode // a promotion code: "code SOIR20", "بالكود WELCOME15"
	// Transactional content.
	FeatureOTP         // code de vérification, login code, رمز التحقق, expire
	FeatureOrder       // commande, colis, livraison prévue, order, pedido, الطلبية
	FeaturePayment     // facture, montant, payé, débit, solde disponible, balance, الرصيد
	FeatureAppointment // rendez-vous, rappel, appointment, cita, موعد
	FeatureBooking     // réservation confirmée, booking, reserva, حجز
	FeatureNotice      // absence, réunion, coupure, maintenance, غياب
	FeatureReference   // a reference or a masked card: KS-229184, ****4821, réf.
	featureCount
)

var featureNames = [...]string{
	"none", "discount", "price", "free", "contest", "call-to-action", "urgency", "novelty", "offer", "referral",
	"promo-code", "otp", "order", "payment", "appointment", "booking", "notice", "reference",
}

func (f Feature) String() string {
	if int(f) < len(featureNames) && featureNames[f] != "" {
		return featureNames[f]
	}
	return "feature?"
}

var featureLabels = [...]string{
	"nothing", "a discount", "a price", "a free offer", "a contest", "a call to action", "urgency", "a novelty", "an offer",
	"referral", "a promotion code", "a one-time code", "an order", "a payment", "an appointment", "a booking", "a notice",
	"a reference",
}

// label names f in a sentence.
func (f Feature) label() string {
	if int(f) < len(featureLabels) {
		return featureLabels[f]
	}
	return f.String()
}

// Commercial reports whether f is evidence of prospecting.
func (f Feature) Commercial() bool { return f >= FeatureDiscount && f <= FeaturePromoCode }

type phraseDef struct {
	text   string
	f      Feature
	weight int8
}

var phraseDefs = []phraseDef{
	// ---- French: commercial ----
	{"promo", FeatureDiscount, 2}, {"promos", FeatureDiscount, 2}, {"promotion", FeatureDiscount, 2},
	{"promotions", FeatureDiscount, 2}, {"promotionnel", FeatureDiscount, 2}, {"promotionnelle", FeatureDiscount, 2},
	{"soldes", FeatureDiscount, 2}, {"en solde", FeatureDiscount, 2}, {"réduction", FeatureDiscount, 2},
	{"réductions", FeatureDiscount, 2}, {"remise", FeatureDiscount, 2}, {"remises", FeatureDiscount, 2},
	{"rabais", FeatureDiscount, 2}, {"prix cassés", FeatureDiscount, 2}, {"prix choc", FeatureDiscount, 2},
	{"prix barrés", FeatureDiscount, 2}, {"bon plan", FeatureDiscount, 2}, {"bons plans", FeatureDiscount, 2},
	{"vente flash", FeatureDiscount, 2}, {"ventes flash", FeatureDiscount, 2}, {"black friday", FeatureDiscount, 2},
	{"cyber monday", FeatureDiscount, 2}, {"déstockage", FeatureDiscount, 2}, {"liquidation", FeatureDiscount, 2},
	{"au lieu de", FeatureDiscount, 2}, {"moitié prix", FeatureDiscount, 2}, {"prix spécial", FeatureDiscount, 2},
	{"prix spéciaux", FeatureDiscount, 2}, {"tarif préférentiel", FeatureDiscount, 2}, {"taux préférentiel", FeatureDiscount, 2},
	{"prix imbattables", FeatureDiscount, 2}, {"petit prix", FeatureDiscount, 2}, {"petits prix", FeatureDiscount, 2},
	{"meilleur prix", FeatureDiscount, 2}, {"foire", FeatureDiscount, 1}, {"braderie", FeatureDiscount, 2},
	{"anti gaspi", FeatureDiscount, 1}, {"doublez", FeatureDiscount, 2}, {"le double", FeatureDiscount, 1},
	{"sans frais", FeatureDiscount, 1}, {"2ème produit", FeatureDiscount, 2}, {"deuxième produit", FeatureDiscount, 2},
	{"2ème paire", FeatureDiscount, 2}, {"à partir de #", FeaturePrice, 2}, {"dès # $", FeaturePrice, 2},
	{"seulement", FeaturePrice, 1}, {"uniquement", FeaturePrice, 1}, {"prix", FeaturePrice, 1}, {"au prix de", FeaturePrice, 1},
	{"à # $", FeaturePrice, 1}, {"à # $ seulement", FeaturePrice, 2}, {"à seulement # $", FeaturePrice, 2},
	{"seulement # $", FeaturePrice, 2}, {"bon d achat", FeatureDiscount, 2}, {"bon de réduction", FeatureDiscount, 2},
	{"bon de # $", FeatureDiscount, 2}, {"prochain achat", FeatureDiscount, 1}, {"prochaine commande", FeatureDiscount, 1},
	{"recevez", FeatureAction, 1}, {"prix réduit", FeatureDiscount, 2}, {"prix réduits", FeatureDiscount, 2},
	{"tarif réduit", FeatureDiscount, 2}, {"tarifs réduits", FeatureDiscount, 2}, {"réduit", FeatureDiscount, 1},
	{"offert", FeatureFree, 2}, {"offerte", FeatureFree, 2}, {"offerts", FeatureFree, 2}, {"offertes", FeatureFree, 2},
	{"gratuit", FeatureFree, 1}, {"gratuite", FeatureFree, 1}, {"gratuits", FeatureFree, 1}, {"gratuites", FeatureFree, 1},
	{"gratuitement", FeatureFree, 1}, {"cadeau", FeatureFree, 2}, {"cadeaux", FeatureFree, 2},
	{"livraison gratuite", FeatureFree, 2}, {"essai gratuit", FeatureFree, 2}, {"devis gratuit", FeatureFree, 2},
	{"sans engagement", FeatureFree, 1},
	{"concours", FeatureContest, 2}, {"jeu concours", FeatureContest, 2}, {"gagnez", FeatureContest, 2},
	{"gagner", FeatureContest, 2}, {"à gagner", FeatureContest, 2}, {"gagnant", FeatureContest, 2},
	{"gagnants", FeatureContest, 2}, {"tentez", FeatureContest, 2}, {"tirage", FeatureContest, 2},
	{"tirage au sort", FeatureContest, 2}, {"loterie", FeatureContest, 2}, {"jackpot", FeatureContest, 1},
	{"profitez", FeatureAction, 2}, {"découvrez", FeatureAction, 2}, {"achetez", FeatureAction, 2},
	{"commandez", FeatureAction, 1}, {"réservez", FeatureAction, 1}, {"inscrivez", FeatureAction, 1},
	{"participez", FeatureAction, 2}, {"venez", FeatureAction, 1}, {"visitez", FeatureAction, 1},
	{"essayez", FeatureAction, 1}, {"testez", FeatureAction, 1}, {"demandez", FeatureAction, 1},
	{"activez", FeatureAction, 1}, {"simulez", FeatureAction, 1}, {"souscrivez", FeatureAction, 1},
	{"passez au", FeatureAction, 1}, {"ouvrez", FeatureAction, 1}, {"rejoignez", FeatureAction, 1},
	{"téléchargez", FeatureAction, 1}, {"installez", FeatureAction, 1}, {"assurez", FeatureAction, 1}, {"abonnez", FeatureAction, 1}, {"n attendez plus", FeatureAction, 2},
	{"ne ratez pas", FeatureAction, 2}, {"ne manquez pas", FeatureAction, 2}, {"faites vous plaisir", FeatureAction, 2},
	{"craquez", FeatureAction, 2}, {"offrez vous", FeatureAction, 2}, {"rendez vous sur", FeatureAction, 1},
	{"rendez vous en", FeatureAction, 1}, {"rendez vous dans", FeatureAction, 1}, {"shoppez", FeatureAction, 2},
	{"offre limitée", FeatureUrgency, 2}, {"offres limitées", FeatureUrgency, 2}, {"places limitées", FeatureUrgency, 2},
	{"stock limité", FeatureUrgency, 2}, {"stocks limités", FeatureUrgency, 2}, {"quantités limitées", FeatureUrgency, 2},
	{"dans la limite des stocks", FeatureUrgency, 2}, {"jusqu à épuisement", FeatureUrgency, 2},
	{"dernières places", FeatureUrgency, 2}, {"derniers jours", FeatureUrgency, 2}, {"dernière chance", FeatureUrgency, 2},
	{"derniers lots", FeatureUrgency, 2}, {"vite", FeatureUrgency, 1}, {"maintenant", FeatureUrgency, 1},
	{"aujourd hui seulement", FeatureUrgency, 2}, {"ce week end", FeatureUrgency, 1}, {"ce soir", FeatureUrgency, 1},
	{"cette semaine", FeatureUrgency, 1}, {"ce mois ci", FeatureUrgency, 1}, {"ce mois", FeatureUrgency, 1},
	{"nouveau", FeatureNovelty, 1}, {"nouvelle", FeatureNovelty, 1}, {"nouveaux", FeatureNovelty, 1},
	{"nouvelles", FeatureNovelty, 1}, {"nouveauté", FeatureNovelty, 1}, {"nouveautés", FeatureNovelty, 1},
	{"nouvelle collection", FeatureNovelty, 2}, {"nouveaux arrivages", FeatureNovelty, 2}, {"lancement", FeatureNovelty, 1},
	{"arrivages", FeatureNovelty, 1}, {"collection", FeatureNovelty, 1},
	{"offre", FeatureOffer, 1}, {"offres", FeatureOffer, 1}, {"offre spéciale", FeatureOffer, 2},
	{"offres spéciales", FeatureOffer, 2}, {"offre exclusive", FeatureOffer, 2}, {"offre valable", FeatureOffer, 2},
	{"exclusif", FeatureOffer, 1}, {"exclusive", FeatureOffer, 1}, {"exclusivité", FeatureOffer, 2},
	{"crédit auto", FeatureOffer, 1}, {"crédit immobilier", FeatureOffer, 1}, {"crédit conso", FeatureOffer, 1},
	{"crédit travaux", FeatureOffer, 1}, {"crédit à la consommation", FeatureOffer, 1},
	{"inscriptions ouvertes", FeatureOffer, 2}, {"portes ouvertes", FeatureOffer, 2}, {"catalogue", FeatureOffer, 1},
	{"showroom", FeatureOffer, 1}, {"show room", FeatureOffer, 1},
	{"parrainez", FeatureReferral, 2}, {"parrainage", FeatureReferral, 2},

	// ---- French: transactional ----
	{"nouveau solde", FeaturePayment, 0}, {"nouvelle date", FeatureAppointment, 0}, {"nouvel horaire", FeatureAppointment, 0},
	{"nouveau mot de passe", FeatureOTP, 0}, {"nouveau code", FeatureOTP, 0}, {"nouvelle adresse", FeatureOrder, 0},
	{"votre commande", FeatureOrder, 0}, {"commande", FeatureOrder, 0}, {"colis", FeatureOrder, 0},
	{"livraison prévue", FeatureOrder, 0}, {"livré", FeatureOrder, 0}, {"livrée", FeatureOrder, 0},
	{"expédié", FeatureOrder, 0}, {"expédiée", FeatureOrder, 0}, {"suivi", FeatureOrder, 0},
	{"point relais", FeatureOrder, 0}, {"à retirer", FeatureOrder, 0}, {"livreur", FeatureOrder, 0},
	{"facture", FeaturePayment, 0}, {"montant", FeaturePayment, 0}, {"payé", FeaturePayment, 0},
	{"payée", FeaturePayment, 0}, {"paiement", FeaturePayment, 0}, {"débit", FeaturePayment, 0},
	{"débité", FeaturePayment, 0}, {"crédité", FeaturePayment, 0}, {"virement", FeaturePayment, 0},
	{"retrait", FeaturePayment, 0}, {"solde", FeaturePayment, 0}, {"solde disponible", FeaturePayment, 0},
	{"échéance", FeaturePayment, 0}, {"date limite", FeaturePayment, 0}, {"il vous reste", FeaturePayment, 0},
	{"opération", FeaturePayment, 0}, {"refusée", FeaturePayment, 0}, {"recharge effectuée", FeaturePayment, 0},
	{"élève à", FeaturePayment, 0}, {"d un montant de", FeaturePayment, 0},
	{"rendez vous", FeatureAppointment, 0}, {"rdv", FeatureAppointment, 0}, {"rappel", FeatureAppointment, 0},
	{"réservation", FeatureBooking, 0}, {"confirmée", FeatureBooking, 0}, {"confirmé", FeatureBooking, 0},
	{"code de vérification", FeatureOTP, 0}, {"code de confirmation", FeatureOTP, 0}, {"mot de passe", FeatureOTP, 0},
	{"expire", FeatureOTP, 0}, {"ne le communiquez", FeatureOTP, 0}, {"ne le partagez", FeatureOTP, 0},
	{"absent", FeatureNotice, 0}, {"absente", FeatureNotice, 0}, {"absence", FeatureNotice, 0},
	{"réunion", FeatureNotice, 0}, {"coupure", FeatureNotice, 0}, {"interruption", FeatureNotice, 0},
	{"maintenance", FeatureNotice, 0}, {"retardé", FeatureNotice, 0}, {"annulé", FeatureNotice, 0},
	{"annulée", FeatureNotice, 0}, {"remboursé", FeaturePayment, 0}, {"remboursée", FeaturePayment, 0},
	{"remboursement", FeaturePayment, 0}, {"activé", FeatureNotice, 0}, {"activée", FeatureNotice, 0},
	{"bloquée", FeatureNotice, 0}, {"suspendue", FeatureNotice, 0}, {"attestation", FeatureReference, 0},
	{"bulletins", FeatureNotice, 0}, {"résultats", FeatureNotice, 0}, {"en cours de traitement", FeatureOrder, 0},
	{"votre demande", FeatureOrder, 0}, {"votre vol", FeatureBooking, 0}, {"enregistrement", FeatureBooking, 0}, {"votre contrat", FeatureReference, 0}, {"réf", FeatureReference, 0},
	{"référence", FeatureReference, 0},

	// ---- English: commercial ----
	{"sale", FeatureDiscount, 2}, {"flash sale", FeatureDiscount, 2}, {"deal", FeatureDiscount, 2},
	{"deals", FeatureDiscount, 2}, {"discount", FeatureDiscount, 2}, {"discounts", FeatureDiscount, 2},
	{"instead of", FeatureDiscount, 2}, {"half price", FeatureDiscount, 2}, {"save", FeatureDiscount, 1},
	{"double points", FeatureDiscount, 2}, {"cashback", FeatureDiscount, 2}, {"bogo", FeatureDiscount, 2},
	{"from # $", FeaturePrice, 2}, {"starting at", FeaturePrice, 2}, {"starting from", FeaturePrice, 2},
	{"only", FeaturePrice, 1}, {"only # $", FeaturePrice, 2}, {"just # $", FeaturePrice, 2}, {"was", FeaturePrice, 1},
	{"upgrade", FeatureAction, 1}, {"next purchase", FeatureDiscount, 1}, {"next order", FeatureDiscount, 1}, {"rates from", FeaturePrice, 2}, {"for # $", FeaturePrice, 1},
	{"free", FeatureFree, 1}, {"gift", FeatureFree, 2}, {"gifts", FeatureFree, 2}, {"free delivery", FeatureFree, 2},
	{"free shipping", FeatureFree, 2}, {"free trial", FeatureFree, 2},
	{"win", FeatureContest, 2}, {"winner", FeatureContest, 2}, {"prize", FeatureContest, 2},
	{"prizes", FeatureContest, 2}, {"contest", FeatureContest, 2}, {"giveaway", FeatureContest, 2},
	{"shop", FeatureAction, 2}, {"shop now", FeatureAction, 2}, {"buy", FeatureAction, 2}, {"order now", FeatureAction, 2},
	{"book now", FeatureAction, 2}, {"book by", FeatureAction, 1}, {"book at", FeatureAction, 1}, {"discover", FeatureAction, 2},
	{"join", FeatureAction, 1}, {"get", FeatureAction, 1}, {"earn", FeatureAction, 1}, {"apply", FeatureAction, 1},
	{"sign up", FeatureAction, 1}, {"enroll", FeatureAction, 1}, {"grab", FeatureAction, 2}, {"enjoy", FeatureAction, 1},
	{"don t miss", FeatureAction, 2}, {"introducing", FeatureAction, 2}, {"visit", FeatureAction, 1},
	{"limited offer", FeatureUrgency, 2}, {"limited time", FeatureUrgency, 2}, {"today only", FeatureUrgency, 2},
	{"this week only", FeatureUrgency, 2}, {"this weekend only", FeatureUrgency, 2}, {"while stocks last", FeatureUrgency, 2},
	{"hurry", FeatureUrgency, 2}, {"last chance", FeatureUrgency, 2}, {"early bird", FeatureUrgency, 2},
	{"now", FeatureUrgency, 1}, {"this weekend", FeatureUrgency, 1}, {"this week", FeatureUrgency, 1},
	{"new", FeatureNovelty, 1}, {"launch", FeatureNovelty, 1}, {"new collection", FeatureNovelty, 2},
	{"offer", FeatureOffer, 1}, {"offers", FeatureOffer, 1}, {"special offer", FeatureOffer, 2},
	{"exclusive", FeatureOffer, 1}, {"rewards", FeatureOffer, 1}, {"financing", FeatureOffer, 1},
	{"refer a friend", FeatureReferral, 2}, {"referral", FeatureReferral, 2},

	// ---- English: transactional ----
	{"new balance", FeaturePayment, 0}, {"new departure", FeatureBooking, 0}, {"new time", FeatureAppointment, 0},
	{"flight", FeatureBooking, 0}, {"delayed", FeatureNotice, 0}, {"cancelled", FeatureNotice, 0},
	{"refund", FeaturePayment, 0}, {"refunded", FeaturePayment, 0}, {"activated", FeatureNotice, 0},
	{"blocked", FeatureNotice, 0}, {"was changed", FeatureOTP, 0}, {"new password", FeatureOTP, 0}, {"new date", FeatureAppointment, 0},
	{"your order", FeatureOrder, 0}, {"order", FeatureOrder, 0}, {"shipped", FeatureOrder, 0},
	{"delivered", FeatureOrder, 0}, {"parcel", FeatureOrder, 0}, {"package", FeatureOrder, 0},
	{"tracking", FeatureOrder, 0}, {"booking", FeatureBooking, 0}, {"is confirmed", FeatureBooking, 0},
	{"confirmed", FeatureBooking, 0}, {"reservation", FeatureBooking, 0}, {"check in", FeatureBooking, 0},
	{"appointment", FeatureAppointment, 0}, {"reminder", FeatureAppointment, 0}, {"invoice", FeaturePayment, 0},
	{"bill", FeaturePayment, 0}, {"payment", FeaturePayment, 0}, {"paid", FeaturePayment, 0},
	{"amount", FeaturePayment, 0}, {"balance", FeaturePayment, 0}, {"debited", FeaturePayment, 0},
	{"credited", FeaturePayment, 0}, {"withdrawal", FeaturePayment, 0}, {"transfer", FeaturePayment, 0},
	{"login code", FeatureOTP, 0}, {"verification code", FeatureOTP, 0}, {"one time", FeatureOTP, 0},
	{"otp", FeatureOTP, 0}, {"password", FeatureOTP, 0}, {"expires", FeatureOTP, 0}, {"never share", FeatureOTP, 0},
	{"do not share", FeatureOTP, 0}, {"don t share", FeatureOTP, 0}, {"due", FeaturePayment, 0},

	// ---- Spanish: commercial ----
	{"rebajas", FeatureDiscount, 2}, {"descuento", FeatureDiscount, 2}, {"descuentos", FeatureDiscount, 2},
	{"promoción", FeatureDiscount, 2}, {"promociones", FeatureDiscount, 2}, {"chollo", FeatureDiscount, 2},
	{"en lugar de", FeatureDiscount, 2}, {"en vez de", FeatureDiscount, 2}, {"mitad de precio", FeatureDiscount, 2},
	{"desde # $", FeaturePrice, 2}, {"solo", FeaturePrice, 1}, {"sólo", FeaturePrice, 1}, {"solo # $", FeaturePrice, 2}, {"próxima compra", FeatureDiscount, 1}, {"precio", FeaturePrice, 1},
	{"gratis", FeatureFree, 1}, {"regalo", FeatureFree, 2}, {"regalos", FeatureFree, 2}, {"envío gratis", FeatureFree, 2},
	{"sorteo", FeatureContest, 2}, {"gana", FeatureContest, 2}, {"ganar", FeatureContest, 2},
	{"concurso", FeatureContest, 2}, {"premio", FeatureContest, 2}, {"premios", FeatureContest, 2},
	{"aprovecha", FeatureAction, 2}, {"descubre", FeatureAction, 2}, {"compra", FeatureAction, 2},
	{"compra ya", FeatureAction, 2}, {"reserva ya", FeatureAction, 2}, {"no te lo pierdas", FeatureAction, 2},
	{"ven", FeatureAction, 1}, {"visita", FeatureAction, 1}, {"te esperamos", FeatureAction, 1},
	{"ahora", FeatureUrgency, 1}, {"ya disponible", FeatureUrgency, 1}, {"este fin de semana", FeatureUrgency, 1},
	{"esta semana", FeatureUrgency, 1}, {"este mes", FeatureUrgency, 1}, {"por # $", FeaturePrice, 1},
	{"solo hoy", FeatureUrgency, 2}, {"últimas plazas", FeatureUrgency, 2}, {"hasta agotar existencias", FeatureUrgency, 2},
	{"nuevo", FeatureNovelty, 1}, {"nueva", FeatureNovelty, 1}, {"nuevos", FeatureNovelty, 1}, {"nuevas", FeatureNovelty, 1},
	{"novedad", FeatureNovelty, 2}, {"novedades", FeatureNovelty, 2}, {"nueva colección", FeatureNovelty, 2},
	{"oferta", FeatureOffer, 1}, {"ofertas", FeatureOffer, 1}, {"oferta especial", FeatureOffer, 2},
	{"escapada", FeatureOffer, 1},

	// ---- Spanish: transactional ----
	{"nuevo saldo", FeaturePayment, 0}, {"pedido", FeatureOrder, 0}, {"tu pedido", FeatureOrder, 0},
	{"entregado", FeatureOrder, 0}, {"enviado", FeatureOrder, 0}, {"paquete", FeatureOrder, 0},
	{"para recoger", FeatureOrder, 0}, {"factura", FeaturePayment, 0}, {"importe", FeaturePayment, 0},
	{"pago", FeaturePayment, 0}, {"pagado", FeaturePayment, 0}, {"saldo", FeaturePayment, 0},
	{"cita", FeatureAppointment, 0}, {"recordatorio", FeatureAppointment, 0}, {"reserva", FeatureBooking, 0},
	{"confirmada", FeatureBooking, 0}, {"código de verificación", FeatureOTP, 0}, {"caduca", FeatureOTP, 0},
	{"no lo compartas", FeatureOTP, 0}, {"devolución", FeaturePayment, 0}, {"reembolso", FeaturePayment, 0},
	{"en camino", FeatureOrder, 0}, {"retrasado", FeatureNotice, 0},

	// ---- Arabic: commercial ----
	{"تخفيض", FeatureDiscount, 2}, {"تخفيضات", FeatureDiscount, 2}, {"تخفيضا", FeatureDiscount, 2},
	{"خصم", FeatureDiscount, 2}, {"بنصف الثمن", FeatureDiscount, 2}, {"بدلا من", FeatureDiscount, 2},
	{"عوض", FeatureDiscount, 2}, {"تفضيلية", FeatureDiscount, 1}, {"بدون مصاريف", FeatureDiscount, 1},
	{"الضعف", FeatureDiscount, 2},
	{"ابتداء من", FeaturePrice, 2}, {"ابتداءا من", FeaturePrice, 2}, {"فقط", FeaturePrice, 1},
	{"بأثمنة", FeaturePrice, 1}, {"أثمنة", FeaturePrice, 1}, {"ثمن", FeaturePrice, 1}, {"الثمن", FeaturePrice, 1},
	{"ب # $", FeaturePrice, 1}, {"بثمن", FeaturePrice, 1}, {"هذا الأسبوع", FeatureUrgency, 1}, {"هذا الشهر", FeatureUrgency, 1},
	{"مجانا", FeatureFree, 1}, {"مجاني", FeatureFree, 1}, {"مجانية", FeatureFree, 1}, {"هدية", FeatureFree, 2},
	{"هدايا", FeatureFree, 2}, {"توصيل مجاني", FeatureFree, 2},
	{"اربح", FeatureContest, 2}, {"اربحوا", FeatureContest, 2}, {"رابح", FeatureContest, 2},
	{"مسابقة", FeatureContest, 2}, {"جائزة", FeatureContest, 2}, {"جوائز", FeatureContest, 2},
	{"السحب", FeatureContest, 1},
	{"استفد", FeatureAction, 2}, {"استفيدوا", FeatureAction, 2}, {"استمتع", FeatureAction, 2},
	{"استمتعوا", FeatureAction, 2}, {"اكتشف", FeatureAction, 2}, {"اكتشفوا", FeatureAction, 2},
	{"احصل", FeatureAction, 1}, {"احصلوا", FeatureAction, 1}, {"اطلب", FeatureAction, 1}, {"اطلبوا", FeatureAction, 1},
	{"تسوق", FeatureAction, 2}, {"تسوقوا", FeatureAction, 2}, {"زوروا", FeatureAction, 1}, {"زورونا", FeatureAction, 1},
	{"شارك", FeatureAction, 1}, {"شاركوا", FeatureAction, 1}, {"اشترك", FeatureAction, 1},
	{"سارعوا", FeatureUrgency, 2}, {"سارع", FeatureUrgency, 2}, {"محدودة", FeatureUrgency, 1},
	{"الأماكن محدودة", FeatureUrgency, 2}, {"لفترة محدودة", FeatureUrgency, 2}, {"حتى نفاد المخزون", FeatureUrgency, 2},
	{"نفاد", FeatureUrgency, 2},
	{"جديد", FeatureNovelty, 1}, {"جديدة", FeatureNovelty, 1}, {"جديدا", FeatureNovelty, 1},
	{"الجديد", FeatureNovelty, 1}, {"الجديدة", FeatureNovelty, 1},
	{"عرض", FeatureOffer, 1}, {"عروض", FeatureOffer, 1}, {"العرض", FeatureOffer, 1}, {"العروض", FeatureOffer, 1},
	{"عروضنا", FeatureOffer, 1}, {"عرض خاص", FeatureOffer, 2}, {"عرض حصري", FeatureOffer, 2},
	{"عروض خاصة", FeatureOffer, 2}, {"حصري", FeatureOffer, 2}, {"حصريا", FeatureOffer, 2},
	{"التسجيل مفتوح", FeatureOffer, 2}, {"الأبواب المفتوحة", FeatureOffer, 2}, {"قرض", FeatureOffer, 1},

	// ---- Arabic: transactional ----
	{"رمز", FeatureOTP, 0}, {"الرمز", FeatureOTP, 0}, {"رمز التحقق", FeatureOTP, 0}, {"صالح لمدة", FeatureOTP, 0},
	{"لا تشاركه", FeatureOTP, 0}, {"الطلبية", FeatureOrder, 0}, {"طلبيتكم", FeatureOrder, 0}, {"طلبكم", FeatureOrder, 0},
	{"الشحنة", FeatureOrder, 0}, {"فاتورة", FeaturePayment, 0}, {"فاتورتكم", FeaturePayment, 0},
	{"الفاتورة", FeaturePayment, 0}, {"أداء", FeaturePayment, 0}, {"مبلغ", FeaturePayment, 0}, {"بمبلغ", FeaturePayment, 0},
	{"رصيد", FeaturePayment, 0}, {"الرصيد", FeaturePayment, 0}, {"رصيدكم", FeaturePayment, 0}, {"تعبئة", FeaturePayment, 0},
	{"سحب", FeaturePayment, 0}, {"تحويل", FeaturePayment, 0}, {"حسابكم", FeaturePayment, 0}, {"مرفوضة", FeaturePayment, 0},
	{"بنجاح", FeaturePayment, 0}, {"موعد", FeatureAppointment, 0}, {"موعدكم", FeatureAppointment, 0},
	{"بموعدكم", FeatureAppointment, 0}, {"الموعد", FeatureAppointment, 0}, {"نذكركم", FeatureAppointment, 0},
	{"حجزكم", FeatureBooking, 0}, {"تأكيد", FeatureBooking, 0}, {"غياب", FeatureNotice, 0}, {"اجتماع", FeatureNotice, 0},
	{"انقطاع", FeatureNotice, 0}, {"تفعيل", FeatureNotice, 0}, {"نتائج", FeatureNotice, 0}, {"غائب", FeatureNotice, 0},
	{"الغياب", FeatureNotice, 0}, {"نقطة الاستلام", FeatureOrder, 0}, {"الرصيد الجديد", FeaturePayment, 0},

	// ---- Darija in Arabic letters ----
	{"الصولد", FeatureDiscount, 2}, {"صولد", FeatureDiscount, 2}, {"بروموسيون", FeatureDiscount, 2},
	{"برومو", FeatureDiscount, 2}, {"فرايداي", FeatureDiscount, 2}, {"فابور", FeatureFree, 1},
	{"التوصيل فابور", FeatureFree, 2}, {"بأثمنة مزيانة", FeaturePrice, 2}, {"غير اليوم", FeatureUrgency, 2},
	{"دابا", FeatureUrgency, 1}, {"هاد السيمانة", FeatureUrgency, 1}, {"الويكاند", FeatureUrgency, 1},
	{"البلايص محدودة", FeatureUrgency, 2}, {"هاد الشهر", FeatureUrgency, 1}, {"دخل", FeatureAction, 1}, {"عمر", FeatureAction, 1}, {"خود", FeatureAction, 1},
	{"جي", FeatureAction, 1}, {"مرحبا بيكم", FeatureAction, 1},
	{"الكوموند", FeatureOrder, 0}, {"الليفرور", FeatureOrder, 0}, {"توصلك", FeatureOrder, 0}, {"فالرصيد", FeaturePayment, 0},
	{"يسالي", FeaturePayment, 0}, {"الموعد ديالك", FeatureAppointment, 0},

	// ---- Darija in Latin letters ----
	{"tkhfid", FeatureDiscount, 2}, {"takhfid", FeatureDiscount, 2}, {"rbe7", FeatureContest, 2}, {"terbe7", FeatureContest, 2},
	{"rb7", FeatureContest, 2}, {"chance", FeatureContest, 1}, {"fabor", FeatureFree, 1}, {"hdiya", FeatureFree, 2},
	{"bla flous", FeatureFree, 1}, {"ghir", FeaturePrice, 1}, {"b # $", FeaturePrice, 1}, {"had chher", FeatureUrgency, 1},
	{"had simana", FeatureUrgency, 1}, {"had lweekend", FeatureUrgency, 1}, {"daba", FeatureUrgency, 1}, {"m7douda", FeatureUrgency, 1},
	{"mahdouda", FeatureUrgency, 1}, {"ghir lyoum", FeatureUrgency, 2}, {"jdid", FeatureNovelty, 1}, {"jdida", FeatureNovelty, 1},
	{"jdad", FeatureNovelty, 1}, {"dkhol", FeatureAction, 1}, {"tlob", FeatureAction, 1}, {"commandi", FeatureAction, 1},
	{"aji", FeatureAction, 1}, {"khod", FeatureAction, 1}, {"3amer", FeatureAction, 1}, {"merhba", FeatureAction, 1},
	{"lcolis", FeatureOrder, 0}, {"ghadi iwslek", FeatureOrder, 0}, {"mat3tih", FeatureOTP, 0}, {"code dyalk", FeatureOTP, 0},
	{"lmaw3id", FeatureAppointment, 0}, {"maw3id", FeatureAppointment, 0}, {"ijtima3", FeatureNotice, 0},
	{"l ijtima3", FeatureNotice, 0}, {"wajed", FeaturePayment, 0},
}
