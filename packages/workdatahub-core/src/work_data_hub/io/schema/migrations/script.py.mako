<%!
def literal(value):
    return repr(value).replace("'", '"')
%>"""${message}

Revision ID: ${up_revision}
Create Date: ${create_date}
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${literal(up_revision)}
down_revision: str | Sequence[str] | None = ${literal(down_revision)}
branch_labels: str | Sequence[str] | None = ${literal(branch_labels)}
depends_on: str | Sequence[str] | None = ${literal(depends_on)}


def upgrade() -> None:
    """Apply: ${message}."""
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    """Revert: ${message}."""
    ${downgrades if downgrades else "pass"}
