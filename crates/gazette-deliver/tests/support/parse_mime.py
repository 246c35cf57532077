"""Parses a received message with Python's own e-mail parser (an independent
MIME implementation) and prints it as JSON: headers (decoded), the content
type, and each leaf part with its type, charset, transfer encoding and
decoded text.

    python3 parse_mime.py FILE.eml
"""

import email
import email.policy
import json
import sys

with open(sys.argv[1], "rb") as f:
    message = email.message_from_binary_file(f, policy=email.policy.default)

parts = []
for part in message.walk():
    if part.is_multipart():
        continue
    parts.append({
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset(),
        "transfer_encoding": part.get("Content-Transfer-Encoding"),
        "text": part.get_content(),
    })

print(json.dumps({
    "headers": {k: str(v) for k, v in message.items()},
    "content_type": message.get_content_type(),
    "defects": [str(d) for d in message.defects],
    "parts": parts,
}))
