"""What a password must be: one set of rules for every way one is set (the administration
pages, the user's own page, the command line), so that none of them lets a weak one by.

The list of common passwords is short on purpose: the most used ones, in China and
elsewhere, that a guesser tries first. A long list would need a dependency or a data
download; these are the ones that matter against a rate-limited sign-in.
"""

from __future__ import annotations

from dudao.core.errors import N_, Message

MIN_PASSWORD_LENGTH = 8

#: Lower case; a password is compared in lower case too ("Password" is as weak).
COMMON_PASSWORDS = frozenset((
    "12345678", "123456789", "1234567890", "0123456789", "87654321", "98765432", "987654321",
    "11223344", "12121212", "12341234", "123123123", "123321123", "147258369", "147852369",
    "159357456", "741852963", "11111111", "22222222", "66666666", "88888888", "99999999",
    "00000000", "66668888", "88886666", "520131400", "5201314520", "1314520520", "woaini1314",
    "woaini520", "woaini123", "iloveyou", "iloveyou1", "a123456789", "a12345678", "a1234567",
    "aa123456", "aa12345678", "abc12345", "abc123456", "abcd1234", "a1b2c3d4", "123456abc",
    "123456aa", "qq123456", "qq123456789", "zxc123456", "asd123456", "qwe123456", "1qaz2wsx",
    "1q2w3e4r", "1q2w3e4r5t", "qazwsxedc", "qwertyui", "qwerty123", "qwerty12", "asdfghjk",
    "zxcvbnm123", "password", "password1", "password123", "passw0rd", "p@ssw0rd", "p@ssword",
    "admin123", "admin888", "admin1234", "administrator", "root1234", "abcdefgh", "welcome1",
    "letmein1", "sunshine", "princess", "football", "baseball", "superman", "trustno1",
    "dragon123", "monkey123", "whatever",
))  # fmt: skip


def password_problems(password: str, username: str, current: str | None = None) -> list[Message]:
    """Every rule `password` breaks, for the account `username` (empty when there is none
    yet); `current` is the account's current password, when the user changes their own."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(Message(N_("at least %(num)d characters"), num=MIN_PASSWORD_LENGTH))
    if password and len(set(password)) == 1:
        problems.append(Message(N_("not one character repeated")))
    lowered = password.lower()
    if username and lowered == username.strip().lower():
        problems.append(Message(N_("not the username")))
    if lowered in COMMON_PASSWORDS:
        problems.append(Message(N_("not one of the most common passwords")))
    if current is not None and password == current:
        problems.append(Message(N_("not the current password")))
    return problems
