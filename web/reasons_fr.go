package web

import "github.com/bawwab/bawwab"

// frenchReasons translates the reasons' Summary and Fix (reason.go) for
// the console's French pages; TestFrenchReasons checks that every reason
// has both.
var frenchReasons = map[bawwab.Reason]struct{ summary, fix string }{
	bawwab.ReasonProviderNotAuthorised: {
		"le compte n'est pas celui d'un prestataire déclaré et actif, titulaire d'un contrat valide avec l'opérateur du destinataire",
		"vérifiez le statut du prestataire et son contrat avec cet opérateur ; seul un régulateur lève une suspension"},
	bawwab.ReasonSenderNotRegistered: {
		"l'identifiant d'expéditeur n'est pas enregistré au nom de ce prestataire",
		"enregistrez l'identifiant d'expéditeur, avec son annonceur et sa catégorie, avant d'envoyer sous ce nom"},
	bawwab.ReasonInvalidRecipient: {
		"le destinataire n'est ni un numéro mobile marocain valide ni un numéro étranger autorisé",
		"nettoyez la liste de contacts, par exemple avec `bawwab numbers`"},
	bawwab.ReasonOptOutMentionMissing: {
		"le texte commercial ne porte pas de mention d'opposition lisible (un mot-clé STOP et un numéro court)",
		"ajoutez une mention telle que « STOP au 5050 » désignant un canal gratuit enregistré ; n'espacez ni ne déguisez le mot-clé"},
	bawwab.ReasonOptOutChannelInvalid: {
		"la mention d'opposition désigne un numéro qui n'est pas un canal gratuit enregistré de ce prestataire ou de cet annonceur",
		"désignez l'un de vos canaux d'opposition gratuits enregistrés, ou le canal national StopSMS"},
	bawwab.ReasonRecipientOptedOut: {
		"le destinataire s'est opposé à cet annonceur, à ce prestataire ou à tout SMS commercial",
		"retirez le numéro de la liste ; téléchargez les numéros opposés depuis la console"},
	bawwab.ReasonNoConsent: {
		"aucun consentement ni relation client existante n'est enregistré pour ce destinataire et cet annonceur",
		"enregistrez le consentement (bawwab consent import) avant d'envoyer"},
	bawwab.ReasonQuietHours: {
		"l'envoi commercial n'est pas autorisé à cette heure (heure de Casablanca)",
		"envoyez aux heures autorisées, ou laissez la passerelle différer le message"},
	bawwab.ReasonFrequencyCap: {
		"le plafond journalier de messages commerciaux du destinataire est atteint",
		"envoyez moins de messages commerciaux par jour à un même destinataire"},
	bawwab.ReasonMislabelledCommercial: {
		"le texte relève de la prospection commerciale mais l'identifiant d'expéditeur est enregistré comme transactionnel",
		"envoyez les promotions sous un identifiant d'expéditeur commercial, avec une mention d'opposition"},
	bawwab.ReasonRateLimited: {
		"le compte envoie plus vite que son débit autorisé, ou son prestataire est limité",
		"ralentissez et réessayez ; ESME_RTHROTTLED est temporaire"},
	bawwab.ReasonConcatenationIncomplete: {
		"les parties d'un message long ne sont pas toutes arrivées à temps",
		"envoyez toutes les parties d'un message long sur la même session, sans délai, avec des références cohérentes"},
	bawwab.ReasonSMSCUnavailable: {
		"le SMSC de l'opérateur du destinataire n'a pas pu prendre le message",
		"réessayez plus tard"},
}
