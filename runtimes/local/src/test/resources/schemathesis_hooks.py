# SchemathesisIT's generator extensions (loaded through SCHEMATHESIS_HOOKS). They add no exception to any check: they
# teach the generator two rules of the API that JSON Schema has no keyword for, so that what it calls valid is valid.
# Schemathesis's own advice for a schema whose runtime rules are stricter than its keywords is to "extend generators
# to match runtime rules" (its warnings reference, validation_mismatch).
import base64
import gzip
import itertools
import re

import schemathesis
from hypothesis import strategies as st

# 1. openapi.json's format "dockerfile-gzip-base64" (submitJob's dockerfileGzipBase64): a Dockerfile as the text
#    body's pattern describes it (FROM and an image on the first line, no NUL), gzip-compressed, then base64-encoded.
_IMAGE = st.from_regex(r"\A[a-z0-9]{1,30}\Z")
_REST = st.text(alphabet=st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), max_size=500)
schemathesis.openapi.format(
    "dockerfile-gzip-base64",
    st.builds(lambda image, rest: base64.b64encode(gzip.compress(f"FROM {image}\n{rest}".encode("utf-8"))).decode("ascii"),
              _IMAGE, _REST),
)

# 2. An Idempotency-Key names one request: a client sends a fresh key with each new request, and the same key only
#    when it retries the same request (the IETF draft draft-ietf-httpapi-idempotency-key-header; a reuse with another
#    request is the documented 422 idempotency-key-reused). The generator, left alone, reuses short keys ("0", "!")
#    across unrelated requests; this keeps each key it sends that fits the header's schema unique, within the schema.
_VALID_KEY = re.compile(r"\A[!-~]{1,255}\Z")
_SEQUENCE = itertools.count()


@schemathesis.hook
def map_headers(ctx, headers):
    if headers and ctx.operation is not None and ctx.operation.label == "POST /jobs":
        key = headers.get("Idempotency-Key")
        if isinstance(key, str) and _VALID_KEY.match(key):
            suffix = f"~{next(_SEQUENCE)}"
            headers["Idempotency-Key"] = key[: 255 - len(suffix)] + suffix
    return headers
