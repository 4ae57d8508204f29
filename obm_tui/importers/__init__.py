"""Pure parsers of files from other systems: mail exports, Shopify orders, Stripe payments.

Bytes in, values and per-row or per-message problems out; nothing here touches the vault.
"""
