"""Stripe's decline codes (https://docs.stripe.com/declines/codes), sorted by what to do next.

- **soft**: the card may work later — retry the charge and remind the customer
  (`insufficient_funds`, `processing_error`, `try_again_later` …);
- **hard**: this card will not work again as it is — never retry it; ask the customer for a new
  card (or new card details): `stolen_card`, `lost_card`, `expired_card`, `incorrect_number`,
  `fraudulent`, `pickup_card` …

A code Stripe does not document (or none) is neither: the follow-up takes the soft path, as a
person would. The follow-up process (templates/processes/follow-up-declined-payment.md) names
the hard codes in its `[when:: code in …]` conditions; a test keeps the two lists equal.
"""

from __future__ import annotations

SOFT = frozenset({
    "approve_with_id",  # the issuer could not authorise it: try again
    "authentication_required",  # the customer authenticates (3D Secure) and it goes through
    "call_issuer",  # unknown reason: the customer asks the bank, then it is retried
    "card_velocity_exceeded",  # over the balance or credit limit for now
    "do_not_honor",  # unknown reason: the customer asks the bank
    "duplicate_transaction",  # the same charge just went through
    "generic_decline",  # unknown reason
    "incorrect_pin", "invalid_pin", "offline_pin_required", "online_or_offline_pin_required", "pin_try_exceeded",
    "insufficient_funds",  # the customer tops up; retried later
    "invalid_amount",  # the amount was refused: check it, retry
    "issuer_not_available",  # the bank could not be reached
    "no_action_taken",
    "processing_error",  # an error while processing the card
    "reenter_transaction",  # the issuer asks to try again
    "testmode_decline",  # a test card
    "transaction_not_allowed",  # the customer asks the bank to allow it
    "try_again_later",
    "withdrawal_count_limit_exceeded",  # over the card's limit for now
})

HARD = frozenset({
    "card_not_supported",  # the card cannot make this kind of purchase
    "currency_not_supported",
    "do_not_try_again",  # the issuer says never retry
    "expired_card",
    "fraudulent",  # Stripe suspects fraud: never retry, never say so to the customer
    "incorrect_cvc", "incorrect_number", "incorrect_zip",  # the card's details are wrong: new details needed
    "invalid_account", "invalid_cvc", "invalid_expiry_month", "invalid_expiry_year", "invalid_number",
    "lost_card",  # reported lost
    "merchant_blacklist",
    "new_account_information_available",  # the card was replaced: ask for the new one
    "not_permitted",
    "pickup_card",  # the card must be taken back (lost or stolen)
    "restricted_card",
    "revocation_of_all_authorizations", "revocation_of_authorization",  # the customer stopped the payments
    "security_violation",
    "service_not_allowed",
    "stolen_card",  # reported stolen
    "stop_payment_order",
})

SOFT_KIND, HARD_KIND = "soft", "hard"


def kind_of(code: str) -> str:
    """`hard`, `soft`, or "" for a code Stripe does not document (or none)."""
    key = code.strip().lower()
    return HARD_KIND if key in HARD else SOFT_KIND if key in SOFT else ""


def is_hard(code: str) -> bool:
    """True when the card will not work again: never retry, ask for a new card."""
    return kind_of(code) == HARD_KIND


def known(code: str) -> bool:
    return bool(kind_of(code))
