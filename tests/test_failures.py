"""The one check for free text that services share: stripped, required when asked, bounded."""
import pytest

from portal.failures import ValidationFailed, written


def test_written_text_is_stripped_and_may_be_empty_unless_required():
    assert written("  Call before noon.  ", field="text", limit=20) == "Call before noon."
    assert written(None, field="text", limit=20) == ""
    with pytest.raises(ValidationFailed) as refused:
        written("   ", field="text", limit=20, missing="Write the note first.")
    assert refused.value.errors == {"text": "Write the note first."}


def test_written_text_longer_than_the_limit_is_refused_with_the_limit_in_words():
    assert written("x" * 4000, field="text", limit=4000) == "x" * 4000
    with pytest.raises(ValidationFailed) as refused:
        written("x" * 4001, field="text", limit=4000)
    assert refused.value.errors == {"text": "Use at most 4,000 characters."}
