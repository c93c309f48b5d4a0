package textcheck

import "testing"

// Our own sentences for the classifier, sent under a transactional sender:
// service messages must pass, promotions (alone or appended to a service
// message) must be flagged.
var classifyCases = []struct {
	text       string
	commercial bool
}{
	// ---- French: transactional ----
	{"Votre colis n°123456 sera livré demain entre 9h et 12h.", false},
	{"Votre rendez-vous du 12/03 à 10h est confirmé. En cas d'empêchement, appelez le 0522 11 22 33.", false},
	{"Votre mot de passe a été modifié. Si ce n'est pas vous, appelez le 0522 58 58 58.", false},
	{"Facture de mars : 249,00 DH, à régler avant le 15/04 sur notre site.", false},
	{"Votre nouveau code PIN vous a été envoyé par courrier.", false},
	{"Coupure d'eau prévue demain de 8h à 12h dans votre quartier. Merci de votre compréhension.", false},
	{"Votre abonnement a été renouvelé jusqu'au 30/09.", false},
	{"Virement reçu : 3 000,00 DH. Nouveau solde : 4 120,50 DH.", false},
	{"Votre commande CMD-88123 est prête. Retrait en magasin avec votre CIN.", false},
	{"Bienvenue chez Telmouj ! Votre ligne est activée.", false},
	{"Rappel : votre enfant a cours de natation samedi à 10h.", false},
	{"Votre réservation R-1234 est confirmée : 2 nuits, 1 200 DH payés.", false},
	{"Rappel : rendez-vous demain 10h. Pour ne plus recevoir nos offres, envoyez STOP au 5050 (gratuit).", false},
	// ---- French: commercial ----
	{"Nouveau ! Découvrez notre carte Gold.", true},
	{"Profitez de 3 mois offerts sur votre abonnement.", true},
	{"Votre colis est livré. -15% sur votre prochaine commande avec le code MERCI15.", true},
	{"Gagnez un smartphone : participez sur notre site !", true},
	{"Votre code : 4521. Découvrez aussi nos offres du moment !", true},
	{"Soldes d'été : jusqu'à 50% sur toute la boutique.", true},
	{"Nouvelle collection disponible en boutique.", true},
	{"Votre facture est disponible. Passez à la fibre : 3 mois à moitié prix !", true},
	{"Crédit immobilier à taux préférentiel jusqu'au 30/06.", true},
	{"Black Friday : tout à prix cassés !", true},
	{"Rappel de rendez-vous demain 10h. Et pour la fête des mères, 2ème soin offert !", true},
	// ---- English ----
	{"Your appointment with Dr Alami is on 12 May at 10:00.", false},
	{"Your order A-4412 has shipped. Track it at shop.ma/track", false},
	{"Your login code is 123456. Never share it.", false},
	{"Payment of 450 MAD received. Thank you.", false},
	{"Big sale this weekend! Up to 50% off.", true},
	{"Your code is 1234. Get 20% off your next order with code SAVE20.", true},
	{"Win a trip to Paris: join our contest today!", true},
	// ---- Spanish ----
	{"Tu pedido MN-4412 ha sido enviado.", false},
	{"Recordatorio: tu cita es el lunes a las 10h.", false},
	{"¡Rebajas! Hasta -40% en toda la tienda.", true},
	{"Tu pedido fue entregado. ¡Aprovecha un 2x1 en camisetas!", true},
	{"Nueva colección ya disponible en tienda.", true},
	// ---- Arabic ----
	{"تم تأكيد طلبيتكم رقم 4521. سيتم التوصيل غدا.", false},
	{"رصيدكم الحالي 120 درهما.", false},
	{"رمز التحقق الخاص بك هو 4412. لا تشاركه مع أحد.", false},
	{"نذكركم بموعدكم يوم الاثنين على الساعة العاشرة.", false},
	{"استفد من تخفيض 30% على جميع المنتجات.", true},
	{"عرض خاص: هاتف جديد ابتداء من 999 درهم.", true},
	{"شارك واربح سيارة جديدة!", true},
	{"تم أداء فاتورتكم. واكتشفوا عروضنا الجديدة على موقعنا!", true},
	// ---- Darija ----
	{"Lcolis dyalk ghadi iwslek ghda, wajed 200 DH.", false},
	{"الكوموند ديالك خرجات وغادي توصلك غدا.", false},
	{"Promo jdida! 2 pizzas b taman wa7da, ghir lyoum.", true},
	{"الصولد بدا فكاع المحلات! حتى ل 50%.", true},
	{"Rbe7 telephone jdid! Sift OUI l 2728.", true},
	// ---- Harder ones: weak cues in service messages, lone cues in promotions ----
	{"Votre recharge de 50 DH a été effectuée. Nouveau solde : 62 DH.", false},
	{"Votre abonnement Pass Internet a été renouvelé automatiquement. Prix : 49 DH.", false},
	{"Your card is now active. You can use it online and in stores.", false},
	{"Telmouj : votre ligne est activée. Bienvenue !", false},
	{"Votre demande de crédit n°CR-5521 a été acceptée. Un conseiller vous appellera.", false},
	{"Votre carte bancaire est disponible en agence. Présentez-vous avec votre CIN.", false},
	{"Rappel : la réunion des parents aura lieu samedi à 10h. Merci de confirmer votre présence.", false},
	{"Bank Assir : connexion à votre espace client le 12/03 à 10h05. Si ce n'est pas vous, appelez le 0522 58 58 58.", false},
	{"Kahraba24 : relevé de compteur prévu le 14/06. Merci de laisser l'accès libre.", false},
	{"Votre colis arrive aujourd'hui ! Le livreur vous appellera avant de passer.", false},
	{"Telmouj: pass dyalk t9ad, daba 3ndek 10 Go.", false},
	{"الباقة ديالك تجددات. دابا عندك 10 جيغا.", false},
	{"تم تفعيل بطاقتكم البنكية بنجاح.", false},
	{"Votre vol SF512 est retardé de 2h. Nouvel horaire de départ : 09h45.", false},
	{"Tu reserva en el hotel Atlas está confirmada para el 12/05. ¡Buen viaje!", false},
	{"Your parcel will be delivered tomorrow. Reply to reschedule.", false},
	{"Votre ordonnance est prête à la pharmacie. Horaires : 9h-20h.", false},
	{"Merci pour votre achat de 350 DH chez Moda Sala. Ticket n° 44812.", false},
	{"Telmouj : nouveau ! Pass Nuit illimité à 5 DH.", true},
	{"Telmouj : découvrez le Pass Nuit.", true},
	{"KechShop : les sneakers que vous aimez sont de retour en stock ! Commandez sur kechshop.ma", true},
	{"Moda Sala : la collection été est arrivée en boutique.", true},
	{"Para Warda : 2 produits achetés = 1 offert.", true},
	{"Telmouj: 3amer 20 DH o khod 20 DH zyada!", true},
	{"Taamin Plus : assurez votre maison dès 39 DH/mois.", true},
	{"Bank Assir : ouvrez un compte épargne à 3,5%.", true},
	{"Skyway : vols vers Paris à 990 DH aller-retour.", true},
	{"بنك أسير: افتح حسابك الآن واحصل على بطاقة مجانية.", true},
	{"طاجين إكسبريس: كسكس الجمعة غير ب 35 درهم!", true},
	{"Colis Rapid : envoyez vos colis partout au Maroc à prix réduit.", true},
	{"Votre colis a été livré. Notez votre expérience et gagnez des points fidélité !", true},
	{"Gym Quwwa : séance d'essai gratuite cette semaine.", true},
	{"HiperNorte: esta semana aceite de oliva a 279 DH.", true},
	// ---- Service notices of other kinds, and promotions riding on them ----
	{"Bank Assir : votre carte ****5512 a été bloquée suite à 3 codes erronés. Contactez le 0522 58 58 58.", false},
	{"Telmouj : votre Pass 10 Go a été activé avec succès. Valable 30 jours.", false},
	{"KechShop : votre commande KS-77120 a été annulée et remboursée (349 DH).", false},
	{"Safariyat : rappel, votre vol pour Istanbul part demain à 07h45. Enregistrement en ligne ouvert.", false},
	{"GS Les Oliviers Bleus : les bulletins du 1er trimestre sont disponibles sur l'espace parents.", false},
	{"Kahraba24 : votre demande de branchement n° 55123 est en cours de traitement.", false},
	{"Nour Assiha : vos résultats d'analyses sont prêts. Retrait à l'accueil du lundi au samedi.", false},
	{"Taamin Plus : votre attestation d'assurance est disponible sur votre espace client.", false},
	{"Your Skyway flight SK204 is delayed by 45 minutes. New departure: 16:30.", false},
	{"DigiHub: your password was changed. If this wasn't you, contact support.", false},
	{"Moda Norte: tu devolución ha sido procesada. El reembolso llegará en 5 días.", false},
	{"بنك أسير: تم تحويل 1500 درهم إلى حسابكم. الرصيد الجديد: 4200 درهم.", false},
	{"تلموج: تم تفعيل باقة 10 جيغا بنجاح. صالحة لمدة 30 يوما.", false},
	{"مصحة نور الصحة: نتائج التحاليل جاهزة. يمكنكم سحبها من الاستقبال.", false},
	{"مدارس الزيتون الأزرق: ابنكم غائب اليوم. المرجو تبرير الغياب.", false},
	{"كش شوب: الطلبية ديالك وصلات لنقطة الاستلام. جيب البطاقة الوطنية.", false},
	{"Colis Rapid: lcolis dyalk tsalem, chokran 3la ti9tek.", false},
	{"Telmouj: rasid dyalk daba 35 DH. Pass dyalk ghadi ysali ghda.", false},
	{"Bank Assir: l'virement dyalk dyal 2000 DH wsel.", false},
	{"Votre code OTP est 884120. Valable 5 minutes.", false},
	{"Code de connexion : 3391. Ne partagez jamais ce code.", false},
	{"Telmouj : votre facture de 149 DH est disponible. Payez avant le 10/05 pour éviter la suspension.", false},
	{"Jackpot24 : félicitations, vous avez gagné 100 DH ! Le montant a été crédité sur votre compte joueur.", false},
	{"Telmouj : profitez du Pass Nuit à 5 DH ce soir seulement !", true},
	{"Bank Assir : pour vos vacances, un crédit jusqu'à 50 000 DH sans frais de dossier. Demandez-le en agence.", true},
	{"Votre colis est livré ! Notez-nous 5 étoiles et recevez un bon de 50 DH sur votre prochain achat.", true},
	{"KechShop : nouveaux smartphones disponibles, livraison gratuite pendant 48h !", true},
	{"Skyway: Your booking is confirmed. Upgrade to business class for only 990 MAD!", true},
	{"Tu pedido está en camino. ¡Y no olvides nuestras ofertas de verano con hasta 40% de descuento!", true},
	{"تلموج: استفيدوا من ضعف الرصيد عند كل تعبئة هذا الأسبوع!", true},
	{"كش شوب: الطلبية ديالك وصلات. وزيد شوف الجديد ديالنا ب -20%!", true},
	{"Gym Quwwa: rappel de votre séance demain 18h. Parrainez un ami et gagnez un mois gratuit !", true},
	{"Telmouj: dir recharge dyal 50 DH o khod 5 Go kado!", true},
	{"Nour Assiha : journée de dépistage gratuit du diabète ce samedi. Venez nombreux !", true},
	{"Colis Rapid : envoyez vos colis à l'international à partir de 99 DH.", true},
}

func TestClassifySentences(t *testing.T) {
	c := NewChecker()
	for _, tc := range classifyCases {
		cl := c.Classify(tc.text)
		if cl.Commercial != tc.commercial {
			t.Errorf("%q: commercial = %v (score %d, service %d, evidence %v), want %v",
				tc.text, cl.Commercial, cl.Score, cl.Service, cl.Evidence[:cl.NEvidence], tc.commercial)
		}
		in := Input{Text: tc.text, Sender: "INFO", Category: Transactional}
		r := c.Check(&in)
		want := OKTransactional
		if tc.commercial {
			want = MislabelledCommercial
		}
		if r.Verdict != want {
			t.Errorf("%q: Check = %s, want %s", tc.text, r.Verdict, want)
		}
	}
}
