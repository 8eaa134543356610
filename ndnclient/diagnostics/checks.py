"""The checks G01–G13 (docs/check-codes.md; G14 is signature_test.py). Each returns an
Outcome whose key names its text in the code catalogue; none sends a PIN or spends a try
(G07 reads the counters only)."""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509

from ndnclient.card.choice import CardChoice, card_label, choose_card, listing
from ndnclient.card.connection import ReaderBackend, ReaderSlot
from ndnclient.card.errors import (
    CardChoiceNeededError,
    CardError,
    CardInUseError,
    CardNotRespondingError,
    CardRemovedError,
    CardSwappedError,
    ChosenCardNotFoundError,
    NoCardError,
    NoServiceError,
    NotGoSignCardError,
    ReaderNotMatchedError,
)
from ndnclient.card.info import format_card_number
from ndnclient.card.pin import PinRisk, assess
from ndnclient.card.readers import matching_readers
from ndnclient.card.session import CardType, GoSignSession
from ndnclient.card.status import CardStatus, in_japan, survey_cards
from ndnclient.diagnostics.catalogue import ErrorSentence, Joined, Phrase
from ndnclient.diagnostics.context import CheckContext, found
from ndnclient.diagnostics.model import Check, CheckStatus, Outcome
from ndnclient.pki.http_crl import HttpCrlError, fetch_crl, http_points
from ndnclient.pki.ldap_repository import (
    MAX_DISTRIBUTION_POINTS,
    MAX_LIST_ENTRIES,
    LdapProbe,
    LdapTarget,
    LdapUrlError,
    ProbeResult,
    distribution_point_uris,
    ldap_distribution_points,
    parse_ldap_url,
)
from ndnclient.pki.trust import check_revocation, verify_chain
from ndnclient.pki.untrusted import UntrustedDataError, certificate_from_der
from ndnclient.renewal import plan_renewal
from ndnclient.resources import resource_path
from ndnclient.settings.cards import switching_until
from ndnclient.settings.errors import InvalidValueError
from ndnclient.settings.service import Settings, Source
from ndnclient.settings.urls import new_entry_origin, normalize_origin

OK, WARN, FAIL = CheckStatus.OK, CheckStatus.WARN, CheckStatus.FAIL
EXPIRY_WARNING_DAYS = 30
CLOCK_TOLERANCE = timedelta(minutes=5)
CARD_CHECK_BOUND = 15.0
QUICK_CHECK_BOUND = 5.0
MAX_HTTP_POINTS = 2  # http:// distribution points G08 tries when LDAP gave no CRL


def _card_error(error: CardError) -> Outcome:
    """A card error met by a check: the sentence is the card layer's own. A card pulled out
    during the check is no fault: that check is simply not done."""
    if isinstance(error, NoCardError | CardRemovedError):
        return Outcome(CheckStatus.SKIPPED, "card_removed", facts={"error": type(error).__name__})
    return Outcome(
        FAIL,
        "card_error",
        {"error": ErrorSentence(error)},
        {"error": type(error).__name__},
    )


# --- G01 the smart-card service and the reader -------------------------------------------


def g01_service_and_reader(context: CheckContext) -> Outcome:
    try:
        snapshot = context.with_card(lambda backend: backend.snapshot())
    except NoServiceError:
        return Outcome(FAIL, "no_service")
    except CardError as error:
        return _card_error(error)
    context.card.readers = list(snapshot)
    if not snapshot:
        return Outcome(FAIL, "no_reader")
    try:
        slots = matching_readers(snapshot, context.reader_filter)
    except ReaderNotMatchedError:
        return Outcome(
            FAIL,
            "reader_not_matched",
            {"reader_filter": context.reader_filter, "readers": ", ".join(snapshot)},
            {"readers": list(snapshot)},
        )
    names = [slot.name for slot in slots]
    return Outcome(OK, "ok", {"readers": ", ".join(names)}, {"readers": names})


# --- G02 the card is present and answers ------------------------------------------------


def g02_card_present(context: CheckContext) -> Outcome:
    try:
        survey = context.with_card(
            lambda backend: survey_cards(backend, context.reader_filter, full=False)
        )
    except CardError as error:
        return _card_error(error)
    if not survey.cards:
        problem = survey.primary().problem
        if problem is None or isinstance(problem, NoCardError):
            readers = problem.params.get("reader", "") if problem is not None else ""
            # No card yet is a state, not a fault: the card's checks are simply not done.
            return Outcome(CheckStatus.SKIPPED, "no_card", {"readers": readers})
        return _card_error(problem)
    card, others = _examined_card(survey.cards, context.card_choice, context.reader_filter)
    if card is None:
        choice = context.card_choice.describe()
        return Outcome(
            FAIL,
            "chosen_not_found",
            {"choice": choice, "cards": listing(survey.cards)},
            {"choice": choice, "cards": [_card_facts(c) for c in survey.cards]},
        )
    reader = found(card.reader, "the reader of a card the survey saw")
    if isinstance(card.problem, CardInUseError):
        return Outcome(FAIL, "in_use", {"reader": reader}, {"reader": reader})
    if isinstance(card.problem, CardNotRespondingError):
        return Outcome(FAIL, "mute", {"reader": reader}, {"reader": reader})
    if card.card_type is CardType.UNKNOWN and not isinstance(card.problem, NotGoSignCardError):
        return _card_error(found(card.problem, "why a card is unidentified"))

    def connect(backend: ReaderBackend) -> tuple[str, bytes]:
        connection = backend.connect(reader)
        try:
            return connection.protocol, connection.atr
        finally:
            connection.close()

    try:
        protocol, atr = context.with_card(connect)
    except CardInUseError:
        return Outcome(FAIL, "in_use", {"reader": reader}, {"reader": reader})
    except CardNotRespondingError:
        return Outcome(FAIL, "mute", {"reader": reader}, {"reader": reader})
    except CardError as error:
        return _card_error(error)
    context.card.slot = ReaderSlot(reader, card_present=True, atr=atr)
    context.card.protocol = protocol
    context.card.chosen_number = card.info.card_number if card.info is not None else None
    context.card.others = others
    facts: dict[str, Any] = {"reader": reader, "atr": atr.hex(" ").upper(), "protocol": protocol}
    if not others:
        return Outcome(OK, "ok", {"reader": reader}, facts)
    facts["card_number"] = card.info.card_number if card.info is not None else None
    facts["others"] = [_card_facts(other) for other in others]
    registered = {c.card_number for c in context.settings.cards}
    return Outcome(
        OK,
        "ok_others",
        {
            "reader": reader,
            "card": card_label(card),
            "count": len(others),
            "others": Joined(
                Phrase("G02", "separator"),
                tuple(_other_card_phrase(other, registered) for other in others),
            ),
            "renewal_note": _renewal_note(card, others, registered),
        },
        facts,
    )


def _examined_card(
    cards: Sequence[CardStatus], choice: CardChoice, name_filter: str | None
) -> tuple[CardStatus | None, list[CardStatus]]:
    """The card the check examines, and the other inserted cards; None when the user's choice
    fits no inserted card. Without a choice, the first GoSign card of several is examined
    (the others are noted): unlike a PIN command, reading spends nothing."""
    try:
        card = choose_card(cards, choice, name_filter)
    except ChosenCardNotFoundError:
        return None, []
    except CardChoiceNeededError as several:
        candidates = [c for c in several.cards if isinstance(c, CardStatus)]
        gosign = [c for c in candidates if c.card_type is CardType.GOSIGN]
        card = (gosign or candidates)[0]
    return card, [c for c in cards if c is not card]


def _card_facts(card: CardStatus) -> dict[str, Any]:
    return {
        "reader": card.reader,
        "card_type": card.card_type.value,
        "card_number": card.info.card_number if card.info is not None else None,
    }


def _other_card_phrase(card: CardStatus, registered: set[str]) -> Phrase:
    info = card.info
    if info is None:
        return Phrase("G02", "other_unread", {"reader": card.reader})
    name = "other_registered" if info.card_number in registered else "other"
    return Phrase("G02", name, {"card": info.card_number_display, "reader": card.reader})


def _renewal_note(
    card: CardStatus, others: Sequence[CardStatus], registered: set[str]
) -> Phrase | str:
    """In a renewal's switching period the old and the new card are both registered: normal."""
    numbers = [c.info.card_number for c in (card, *others) if c.info is not None]
    if sum(number in registered for number in numbers) >= 2:
        return Phrase("G02", "renewal_note")
    return ""


# --- G03 a GoSign card and its certificate ------------------------------------------------


def g03_gosign_certificate(context: CheckContext) -> Outcome:
    slot = found(context.card.slot, "the reader G02 chose")

    def read(backend: ReaderBackend) -> dict[str, Any]:
        connection = backend.connect(slot.name)
        try:
            with connection.transaction():
                session = GoSignSession(connection)
                read_now: dict[str, Any] = {"type": session.identify()}
                if read_now["type"] is not CardType.GOSIGN:
                    return read_now
                read_now["info"] = session.read_card_info()
                read_now["certificate"] = session.read_user_certificate()
                try:
                    read_now["ca_certificate"] = session.read_ca_certificate()
                except CardError:
                    read_now["ca_certificate"] = None  # optional for the checks that follow
                return read_now
        finally:
            connection.close()

    try:
        read_now = context.with_card(read)
    except CardError as error:
        return _card_error(error)
    context.card.card_type = read_now["type"]
    if read_now["type"] is CardType.MYNUMBER:
        return Outcome(FAIL, "mynumber", facts={"card_type": "mynumber"})
    if read_now["type"] is not CardType.GOSIGN:
        return Outcome(FAIL, "not_gosign", facts={"card_type": "unknown"})
    info = read_now["info"]
    chosen = context.card.chosen_number
    if chosen is not None and info.card_number != chosen:
        # Swapped since G02 chose it: what follows (G14 above all) must not use this card.
        swapped = CardSwappedError(
            reader=slot.name,
            expected=format_card_number(chosen),
            found=info.card_number_display,
        )
        return _card_error(swapped)
    context.card.info = info
    try:
        certificate = certificate_from_der(read_now["certificate"])
    except UntrustedDataError as error:
        # The sentence is the catalogue's; what cryptography said goes to the facts.
        return Outcome(
            FAIL,
            "bad_certificate",
            {"card_number": info.card_number_display},
            {"card_number": info.card_number, "error": str(error)},
        )
    context.card.certificate = certificate
    if read_now["ca_certificate"] is not None:
        try:
            context.card.ca_certificate = certificate_from_der(read_now["ca_certificate"])
        except UntrustedDataError:
            context.card.ca_certificate = None  # G09 then looks among the anchors alone
    return Outcome(
        OK,
        "ok",
        {"card_number": info.card_number_display, "holder": info.holder},
        {
            "card_type": "gosign",
            "card_number": info.card_number,
            "holder": info.holder,
            "subject": certificate.subject.rfc4514_string(),
            "issuer": certificate.issuer.rfc4514_string(),
            "serial_number": f"{certificate.serial_number:X}",
        },
    )


# --- G04 the LDAP repository ------------------------------------------------------------------


def _probe(context: CheckContext, target: str | LdapTarget) -> LdapProbe:
    settings = context.settings
    return LdapProbe(
        target,
        connect_timeout=settings.ldap_connect_timeout,
        receive_timeout=settings.ldap_receive_timeout,
        deadline=context.deadline,
    )


def _url_source(settings: Settings) -> str:
    """Where a configured `ldap.url` came from: IT's policy, or the user's settings."""
    policy = settings.sources.get("ldap.url") in (Source.POLICY, Source.LOCKED)
    return "policy" if policy else "settings"


def _repository_candidates(context: CheckContext) -> list[tuple[str, LdapTarget | str]]:
    """The entries G04 probes, in order, each with its URL as written: the configured URL
    alone when there is one (IT's or the user's word wins over the certificate), else the
    card certificate's LDAP distribution points (a URL that does not parse is kept as its
    error's message, to be listed in the facts)."""
    if context.settings.ldap_url:
        url = context.settings.ldap_url
        return [(url, LdapTarget.from_url(url))]
    certificate = context.card.certificate
    uris = ldap_distribution_points(certificate) if certificate is not None else []
    candidates: list[tuple[str, LdapTarget | str]] = []
    for uri in uris[:MAX_DISTRIBUTION_POINTS]:
        try:
            candidates.append((uri, parse_ldap_url(uri)))
        except LdapUrlError as error:
            candidates.append((uri, str(error)))
    return candidates


def g04_ldap(context: CheckContext) -> Outcome:
    settings = context.settings
    if settings.verification_method == "multitrust":
        return Outcome(
            CheckStatus.NOT_APPLICABLE, "multitrust", facts={"verification_method": "multitrust"}
        )
    source = _url_source(settings) if settings.ldap_url else "certificate"
    facts: dict[str, Any] = {"url_source": source, "proxy": settings.proxy_url}
    certificate = context.card.certificate
    if source == "certificate":
        if certificate is None:
            # No URL configured and no certificate read (G03 did not pass): nothing to probe.
            return Outcome(CheckStatus.SKIPPED, "no_certificate", facts=facts)
        facts["distribution_points"] = distribution_point_uris(certificate)
    tried: list[dict[str, Any]] = []
    facts["tried"] = tried
    chosen: ProbeResult | None = None
    for url, target in _repository_candidates(context):
        if isinstance(target, str):
            tried.append({"url": url[:256], "reason": "bad_url", "detail": target})
            continue
        result = _probe(context, target).run()
        tried.append(
            {
                "url": result.target.describe(),
                "reason": result.reason.value if result.reason else None,
                "detail": result.detail,
                "elapsed_ms": result.elapsed_ms,
            }
        )
        if chosen is None or (result.ok and not chosen.ok):
            chosen = result  # the first that gave the lists; else the first tried
        if result.ok:
            break
    if chosen is None:
        # A certificate without a usable LDAP distribution point, and no URL configured.
        if tried:
            return Outcome(CheckStatus.SKIPPED, "bad_distribution_point", facts=facts)
        return Outcome(CheckStatus.SKIPPED, "no_distribution_point", facts=facts)
    context.ldap = result = chosen
    params = {
        "host": result.target.host,
        "port": result.target.port,
        "seconds": f"{result.elapsed_ms / 1000:.1f}",
        "method_note": Phrase("G04", "method_ldap"),
        # LDAP does not pass through an HTTP proxy: when one is set, the remedy says so.
        "proxy_note": (
            Phrase("G04", "proxy_note", {"proxy": settings.proxy_url}) if settings.proxy_url else ""
        ),
    }
    facts = {**result.facts(), **facts}
    if result.reason is None:
        # A URL from the certificate may promise the CRL alone: say what was fetched.
        return Outcome(OK, "ok" if result.arl is not None else "ok_crl_only", params, facts)
    return Outcome(FAIL, result.reason.value, params, facts)


def g04_bound(context: CheckContext) -> float:
    if context.settings.verification_method == "multitrust":
        return QUICK_CHECK_BOUND
    probes = sum(1 for _, target in _repository_candidates(context) if not isinstance(target, str))
    return max(1, probes) * _probe(context, context.settings.ldap_url).time_bound + 1.0


# --- G05 the certificate's validity --------------------------------------------------------


def g05_validity(context: CheckContext) -> Outcome:
    certificate = found(context.card.certificate, "the certificate G03 read")
    now = context.now()
    valid_from, valid_to = certificate.not_valid_before_utc, certificate.not_valid_after_utc
    facts: dict[str, Any] = {
        "not_before": valid_from.isoformat(),
        "not_after": valid_to.isoformat(),
    }
    if now < valid_from:
        return Outcome(FAIL, "not_yet_valid", {"valid_from": _jst_day(valid_from)}, facts)
    if now > valid_to:
        return Outcome(FAIL, "expired", {"valid_to": _jst_day(valid_to)}, facts)
    last_day = in_japan(valid_to).date()
    days_left = (last_day - context.today()).days + 1
    facts["days_left"] = days_left
    if days_left <= EXPIRY_WARNING_DAYS:
        plan = plan_renewal(last_day)
        return Outcome(
            WARN,
            "expiring",
            {
                "valid_to": last_day,
                "days": days_left,
                "apply_by": plan.apply_by,
                "renewal_valid_from": plan.renewal_valid_from,
            },
            {**facts, "renewal": plan.to_json()},
        )
    return Outcome(OK, "ok", {"valid_to": last_day, "days": days_left}, facts)


def _jst_day(moment: datetime) -> str:
    """The day in Japan time, as validity dates are kept."""
    return str(in_japan(moment).date())


# --- G06 the user info settings match the card ----------------------------------------------


def g06_settings_match(context: CheckContext) -> Outcome:
    info = found(context.card.info, "the CARD_INFO G03 read")
    cards = context.settings.cards
    inserted = format_card_number(info.card_number)
    facts: dict[str, Any] = {
        "inserted": info.card_number,
        "registered": [card.card_number for card in cards],
    }
    # A card not registered yet is a step the user has not taken, not a fault: a warning
    # with the way to take it (the window offers to register the card).
    if not cards:
        return Outcome(
            WARN, "none_registered", {"card_number": inserted}, {**facts, "offer_register": True}
        )
    match = next((c for c in cards if c.card_number == info.card_number), None)
    if match is None:
        registered = ", ".join(format_card_number(c.card_number) for c in cards)
        return Outcome(
            WARN,
            "other_registered",
            {"card_number": inserted, "registered": registered},
            {**facts, "offer_register": True},
        )
    if (match.valid_from, match.valid_to) != (info.valid_from, info.valid_to):
        return Outcome(
            WARN,
            "validity_differs",
            {
                "card_number": inserted,
                "registered_from": match.valid_from,
                "registered_to": match.valid_to,
                "card_from": info.valid_from,
                "card_to": info.valid_to,
            },
            {**facts, "offer_register": True},
        )
    others = [c for c in cards if c is not match]
    for other in others:
        until = switching_until(other, cards) or switching_until(match, cards)
        if until is not None and context.today() <= until:
            return Outcome(
                OK,
                "switching",
                {
                    "card_number": inserted,
                    "other": format_card_number(other.card_number),
                    "until": until,
                },
                facts,
            )
    return Outcome(OK, "ok", {"card_number": inserted}, facts)


# --- G07 the PIN's state (counters only: nothing is spent) ----------------------------------


def g07_pin_state(context: CheckContext) -> Outcome:
    slot = found(context.card.slot, "the reader G02 chose")

    def read(backend: ReaderBackend) -> tuple[Any, Any]:
        connection = backend.connect(slot.name)
        try:
            with connection.transaction():
                session = GoSignSession(connection)
                session.select_application()
                return session.pin_counter("pin"), session.pin_counter("unlock")
        finally:
            connection.close()

    try:
        pin, unlock = context.with_card(read)
    except CardError as error:
        return _card_error(error)
    context.card.pin, context.card.unlock = pin, unlock
    facts = {"pin_tries_left": pin.tries_left, "unlock_tries_left": unlock.tries_left}
    params = {"tries": pin.tries_left, "max": pin.max_tries}
    if unlock.blocked:
        return Outcome(FAIL, "card_dead", params, facts)
    if pin.blocked:
        return Outcome(FAIL, "blocked", params, facts)
    if assess(pin) in (PinRisk.LOW, PinRisk.LAST_TRY):
        return Outcome(WARN, "low", params, facts)
    return Outcome(OK, "ok", params, facts)


# --- G08 revocation -----------------------------------------------------------------------


def g08_revocation(context: CheckContext) -> Outcome:
    certificate = found(context.card.certificate, "the certificate G03 read")
    issuer = found(found(context.chain, "G09's chain").issuer, "the issuer G09 verified")
    probe = context.ldap
    http_url: str | None = None
    if probe is not None and probe.ok and probe.crl is not None:
        crl, arl = probe.crl, probe.arl
    else:
        # LDAP gave no CRL (G04 says why): the certificate's http:// point, if it has one.
        fetched = _crl_over_http(context, certificate)
        if isinstance(fetched, Outcome):
            return fetched
        (crl, http_url), arl = fetched, None
    now = context.now()
    facts: dict[str, Any] = {
        "serial_number": f"{certificate.serial_number:X}",
        "crl_entries": len(crl),
        "crl_source": "ldap" if http_url is None else "http",
    }
    if http_url is not None:
        facts["crl_url"] = http_url
    result = check_revocation(certificate, crl, issuer, now)
    facts["crl_next_update"] = result.next_update.isoformat() if result.next_update else None
    facts["listed"] = result.revoked_at is not None
    # Verify before believing: a list nobody signed proves nothing, either way.
    if not (result.signature_valid and result.issuer_matches):
        return Outcome(WARN, "bad_signature", facts=facts)
    if result.revoked_at is not None:
        return Outcome(
            FAIL,
            "revoked",
            {"revoked_on": _jst_day(result.revoked_at)},
            {**facts, "revoked_at": result.revoked_at.isoformat()},
        )
    arl_outcome = _arl_verdict(context, issuer, arl, now, facts)
    if arl_outcome is not None:
        return arl_outcome
    if result.stale:
        next_update = found(result.next_update, "a stale CRL's next update")
        return Outcome(WARN, "stale", {"next_update": _jst_day(next_update)}, facts)
    this_update = _jst_day(crl.last_update_utc)
    if http_url is not None:
        return Outcome(OK, "ok_over_http", {"this_update": this_update, "url": http_url}, facts)
    return Outcome(OK, "ok", {"this_update": this_update}, facts)


def _crl_over_http(
    context: CheckContext, certificate: x509.Certificate
) -> tuple[x509.CertificateRevocationList, str] | Outcome:
    """The CRL from the first of the certificate's http:// distribution points that gives
    one, and its URL; else the skipped outcome (G04 tells what LDAP did)."""
    settings = context.settings
    if settings.verification_method == "multitrust":
        # Moot as G04 is (the e-bidding system checks revocation itself): no problem.
        return Outcome(
            CheckStatus.NOT_APPLICABLE,
            "prerequisite_not_applicable",
            {"codes": "G04"},
            {"because": ["G04"]},
        )
    points = http_points(distribution_point_uris(certificate))
    if not points:
        return Outcome(CheckStatus.SKIPPED, "no_crl", facts={"http_points": points})
    tried: list[dict[str, str]] = []
    for url in points[:MAX_HTTP_POINTS]:
        try:
            crl = fetch_crl(
                url,
                connect_timeout=settings.ldap_connect_timeout,
                receive_timeout=settings.ldap_receive_timeout,
                proxy_url=settings.proxy_url,
                max_entries=MAX_LIST_ENTRIES,
            )
        except HttpCrlError as error:
            tried.append({"url": url, "error": str(error)})
            continue
        return crl, url
    return Outcome(CheckStatus.SKIPPED, "no_crl", facts={"http_points": points, "tried": tried})


def g08_bound(context: CheckContext) -> float:
    """Quick with G04's CRL; with the http fallback, each point's fetch bound as well."""
    settings = context.settings
    per_point = settings.ldap_connect_timeout * 2 + settings.ldap_receive_timeout
    return QUICK_CHECK_BOUND + MAX_HTTP_POINTS * per_point


def _arl_verdict(
    context: CheckContext,
    issuer: x509.Certificate,
    arl: x509.CertificateRevocationList | None,
    now: datetime,
    facts: dict[str, Any],
) -> Outcome | None:
    """The ARL lists revoked CA certificates, signed by the CA above `issuer` (its own
    issuer: itself for a root). Believed only when a trusted certificate verifies it."""
    if arl is None:
        return None
    chain = context.chain.chain if context.chain else ()
    signers = [c for c in (*context.anchors.certificates, *chain) if c.subject == issuer.issuer]
    verdict = None
    for signer in signers:
        candidate = check_revocation(issuer, arl, signer, now)
        if candidate.signature_valid:
            verdict = candidate
            break
    if verdict is None:
        return Outcome(WARN, "arl_unverified", facts=facts)
    if verdict.revoked_at is not None:
        return Outcome(FAIL, "ca_revoked", {"ca": issuer.subject.rfc4514_string()}, facts)
    if verdict.stale:
        next_update = found(verdict.next_update, "a stale ARL's next update")
        return Outcome(WARN, "arl_stale", {"next_update": _jst_day(next_update)}, facts)
    return None


# --- G09 the certificate chain --------------------------------------------------------------


def g09_chain(context: CheckContext) -> Outcome:
    certificate = found(context.card.certificate, "the certificate G03 read")
    anchors = context.anchors
    # Path candidates, never anchors: the card's CA certificate, then the Windows CA
    # store's. (AIA: nothing is fetched, and no fetched certificate is kept anywhere yet.)
    card_ca = [c for c in (context.card.ca_certificate,) if c is not None]
    intermediates = [*card_ca, *anchors.intermediates]
    result = verify_chain(certificate, anchors.certificates, intermediates, context.now())
    context.chain = result
    facts: dict[str, Any] = {
        "chain": [c.subject.rfc4514_string() for c in result.chain],
        "anchors": len(anchors.certificates),
        "anchor_problems": list(anchors.problems),
        "intermediates": {"card": len(card_ca), "windows_ca": len(anchors.intermediates)},
        "system_store": anchors.system,  # None: not read (trust.use_system_store false)
    }
    if result.trusted:
        source = anchors.source_of(result.chain[-1])
        facts["anchor_source"] = source.value if source else None
    if not result.trusted:
        problem = result.problem.value if result.problem else "unknown_issuer"
        return Outcome(FAIL, problem, {"issuer": certificate.issuer.rfc4514_string()}, facts)
    if anchors.problems:
        # The paths in the sentence; why each could not be read is in the facts.
        files = "; ".join(anchors.unreadable_files or anchors.problems)
        return Outcome(WARN, "anchor_unreadable", {"files": files}, facts)
    return Outcome(OK, "ok", {"anchor": result.chain[-1].subject.rfc4514_string()}, facts)


# --- G10 the allowed URL list -----------------------------------------------------------------


def g10_allowed_urls(context: CheckContext) -> Outcome:
    entries = list(context.settings.values["urls.allowed"])
    if not entries:
        return Outcome(WARN, "empty")
    bad: list[str] = []
    no_dot: list[str] = []
    for entry in entries:
        try:
            if normalize_origin(str(entry)) != entry:
                bad.append(str(entry))
                continue
        except InvalidValueError:
            bad.append(str(entry))
            continue
        try:
            new_entry_origin(str(entry))
        except InvalidValueError:
            # Refused as a new entry (「電子入札」 saved as xn--..., https://e-bisc), but stored
            # before that rule, perhaps by IT: an office site's one-word name may be right.
            no_dot.append(str(entry))
    if bad:
        return Outcome(FAIL, "bad", {"entries": ", ".join(bad)}, {"bad": bad, "no_dot": no_dot})
    if no_dot:
        return Outcome(WARN, "no_dot", {"entries": ", ".join(no_dot)}, {"no_dot": no_dot})
    return Outcome(OK, "ok", {"count": len(entries)}, {"urls": entries})


# --- G11 a supported reader -----------------------------------------------------------------


def supported_reader_patterns(context: CheckContext) -> list[str]:
    try:
        with resource_path("readers", "supported.toml").open("rb") as file:
            bundled = [str(p) for p in tomllib.load(file).get("patterns", [])]
    except (OSError, tomllib.TOMLDecodeError):
        bundled = []
    return [*bundled, *context.settings.readers_supported]


def g11_supported_reader(context: CheckContext) -> Outcome:
    # The reader holding the card when G02 found one; else every reader the filter allows
    # (a built-in or virtual reader without the card is none of the user's business).
    if context.card.slot is not None:
        readers = [context.card.slot.name]
    else:
        readers = [
            r
            for r in context.card.readers
            if not context.reader_filter or context.reader_filter.casefold() in r.casefold()
        ]
    patterns = [p.casefold() for p in supported_reader_patterns(context)]
    unsupported = [r for r in readers if not any(p in r.casefold() for p in patterns)]
    facts = {"readers": readers, "unsupported": unsupported}
    if unsupported:
        return Outcome(WARN, "unsupported", {"readers": ", ".join(unsupported)}, facts)
    return Outcome(OK, "ok", {"readers": ", ".join(readers)}, facts)


# --- G12 the PC's clock -----------------------------------------------------------------------


def g12_clock(context: CheckContext) -> Outcome:
    crl = context.ldap.crl if context.ldap is not None else None
    if crl is None:
        return Outcome(CheckStatus.SKIPPED, "no_reference")
    issued, now = crl.last_update_utc, context.now()
    facts = {"crl_this_update": issued.isoformat(), "pc_time": now.isoformat()}
    # A CRL cannot be issued in the future: one that seems to be means this PC's clock is
    # behind. (A clock ahead shows as a CRL past its next update, under G08.)
    if issued - now > CLOCK_TOLERANCE:
        minutes = round((issued - now).total_seconds() / 60)
        return Outcome(WARN, "behind", {"minutes": minutes}, {**facts, "behind_minutes": minutes})
    return Outcome(OK, "ok", {"reference": _jst_day(issued)}, facts)


# --- G13 the proxy ----------------------------------------------------------------------------


def g13_proxy(context: CheckContext) -> Outcome:
    proxy = context.settings.proxy_url
    if proxy is None:
        return Outcome(OK, "none")
    facts = {"proxy": proxy}
    if context.settings.verification_method == "multitrust":
        return Outcome(OK, "multitrust", {"proxy": proxy}, facts)
    if context.ldap is None:
        return Outcome(CheckStatus.SKIPPED, "not_checked", {"proxy": proxy}, facts)
    if not context.ldap.ok:
        return Outcome(WARN, "ldap_needs_direct_route", {"proxy": proxy}, facts)
    return Outcome(OK, "direct_route", {"proxy": proxy}, facts)


def _seconds(bound: float) -> Callable[[CheckContext], float]:
    return lambda _context: bound


ALL_CHECKS: tuple[Check, ...] = (
    Check("G01", g01_service_and_reader, time_bound=_seconds(CARD_CHECK_BOUND)),
    Check("G02", g02_card_present, requires=("G01",), time_bound=_seconds(CARD_CHECK_BOUND)),
    Check("G03", g03_gosign_certificate, requires=("G02",), time_bound=_seconds(CARD_CHECK_BOUND)),
    # G04 probes the repository the settings name, else the one in the certificate G03 read.
    Check("G04", g04_ldap, after=("G03",), time_bound=g04_bound),
    Check("G05", g05_validity, requires=("G03",), time_bound=_seconds(QUICK_CHECK_BOUND)),
    Check("G06", g06_settings_match, requires=("G03",), time_bound=_seconds(QUICK_CHECK_BOUND)),
    Check("G07", g07_pin_state, requires=("G03",), time_bound=_seconds(CARD_CHECK_BOUND)),
    # G08 takes the CRL's signer from G09's verified chain: the card's own CA certificate is
    # never trusted by itself.
    # G04's CRL when LDAP answered, else the certificate's http:// point: G04 need not pass.
    Check(
        "G08",
        g08_revocation,
        requires=("G03", "G09"),
        after=("G04",),
        time_bound=g08_bound,
    ),
    Check("G09", g09_chain, requires=("G03",), time_bound=_seconds(QUICK_CHECK_BOUND)),
    Check("G10", g10_allowed_urls, time_bound=_seconds(QUICK_CHECK_BOUND)),
    Check(
        "G11",
        g11_supported_reader,
        requires=("G01",),
        after=("G02",),
        time_bound=_seconds(QUICK_CHECK_BOUND),
    ),
    Check("G12", g12_clock, after=("G04",), time_bound=_seconds(QUICK_CHECK_BOUND)),
    Check("G13", g13_proxy, after=("G04",), time_bound=_seconds(QUICK_CHECK_BOUND)),
)


def checks_for(settings: Settings) -> tuple[Check, ...]:
    """ALL_CHECKS for these settings: with `ldap.url` set, G04 needs no certificate, so it
    does not wait for G03 (and `check --only G04` reads no card)."""
    if not settings.ldap_url:
        return ALL_CHECKS
    return tuple(
        dataclasses.replace(c, after=tuple(a for a in c.after if a != "G03"))
        if c.code == "G04"
        else c
        for c in ALL_CHECKS
    )
