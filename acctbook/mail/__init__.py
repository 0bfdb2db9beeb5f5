"""The mail adapter: sends e-mail messages through an SMTP server (acctbook.mail.smtp). It
imports no other adapter; acctbook.campaigning combines it with the documents that render
the messages."""
