"""Free-mail domains, as data: an address anyone can open for nothing, which a company that
trades under its own name seldom uses for its business (the prospect score's warning sign
"Free-mail address", docs/rules.md, section 18).

Two lists: domains matched exactly, and providers matched under any country ending
(`yahoo.*`: yahoo.com, yahoo.co.uk, yahoo.fr). Pure, standard library only.
"""

from __future__ import annotations

# Matched exactly (lower case).
DOMAINS = frozenset({
    # international
    "gmail.com", "googlemail.com", "icloud.com", "me.com", "mac.com", "aol.com", "msn.com",
    "ymail.com", "rocketmail.com", "mail.com", "email.com", "proton.me", "protonmail.com",
    "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de", "tuta.io", "zohomail.com",
    "fastmail.com", "hushmail.com", "gmx.com", "inbox.com",
    # Israel
    "walla.co.il", "walla.com", "012.net.il", "netvision.net.il", "bezeqint.net",
    "zahav.net.il", "smile.net.il", "inter.net.il", "013.net", "013net.net", "nana10.co.il",
    # Europe
    "web.de", "t-online.de", "freenet.de", "orange.fr", "free.fr", "laposte.net", "sfr.fr",
    "libero.it", "virgilio.it", "wp.pl", "o2.pl", "interia.pl", "seznam.cz", "btinternet.com",
    "sky.com", "mail.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "ukr.net",
    # the Americas, Asia, Australia
    "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "cox.net", "earthlink.net",
    "shaw.ca", "rogers.com", "bigpond.com", "qq.com", "163.com", "126.com", "sina.com",
    "naver.com", "hanmail.net", "daum.net", "rediffmail.com",
})

# Matched under any country ending: the domain's first label, followed by one or two short
# labels (yahoo.com, yahoo.co.uk, hotmail.co.il, gmx.de).
PROVIDERS = frozenset({"yahoo", "hotmail", "outlook", "live", "gmx", "yandex"})


def domain_of(address) -> str | None:
    """The domain of an e-mail address, lower case (`Dana@Gmail.com ` -> gmail.com), or None
    when the text holds no `@` with something after it."""
    if not isinstance(address, str):
        return None
    _, at, domain = address.strip().rpartition("@")
    domain = domain.strip().strip(".").lower()
    return domain if at and domain else None


def is_free(domain: str | None) -> bool:
    """Whether `domain` (lower case) is a free-mail one."""
    if not domain:
        return False
    if domain in DOMAINS:
        return True
    first, _, rest = domain.partition(".")
    tail = rest.split(".")
    return first in PROVIDERS and 1 <= len(tail) <= 2 and all(0 < len(p) <= 3 for p in tail)
