import pytest
from hypothesis import given
from hypothesis import strategies as st
from work_data_hub.config.masking import mask_secrets

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (
            "postgresql://wdh:secret@db:5432/warehouse",
            "postgresql://wdh:***@db:5432/warehouse",
        ),
        (
            "postgresql+psycopg2://wdh:p%40ss@db/warehouse?sslmode=require",
            "postgresql+psycopg2://wdh:***@db/warehouse?sslmode=require",
        ),
        ("connect to mysql://:only-pass@db/x failed", "connect to mysql://:***@db/x failed"),
        ("host=db user=wdh password=secret dbname=x", "host=db user=wdh password=*** dbname=x"),
        ("PASSWORD: 'two words' and more", "PASSWORD: *** and more"),
        ('{"password": "secret", "user": "wdh"}', '{"password": ***, "user": "wdh"}'),
        (
            "postgresql://db/x?user=wdh&password=secret&x=1",
            "postgresql://db/x?user=wdh&password=***&x=1",
        ),
        ("pwd=secret;", "pwd=***;"),
    ],
)
def test_passwords_are_masked(text: str, masked: str) -> None:
    assert mask_secrets(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "postgresql://wdh@db:5432/warehouse",
        "postgresql://db:5432/warehouse",
        "postgresql://postgres@/postgres?host=/tmp/pg",
        "see https://example.com/a:b/c for details",
        "the password policy changed",
        "规模明细 row 12: 计划代码 is empty",
    ],
)
def test_text_without_a_password_is_unchanged(text: str) -> None:
    assert mask_secrets(text) == text


@given(
    password=st.text(
        alphabet=st.characters(
            codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), exclude_characters="/"
        ),
        min_size=1,
    )
)
def test_any_url_password_is_masked(password: str) -> None:
    url = f"postgresql://wdh:{password}@db.example:5432/warehouse"
    assert mask_secrets(url) == "postgresql://wdh:***@db.example:5432/warehouse"


@given(text=st.text())
def test_masking_is_idempotent(text: str) -> None:
    once = mask_secrets(text)
    assert mask_secrets(once) == once
