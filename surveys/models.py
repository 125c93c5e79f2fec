"""Every model of the surveys app, re-exported from the feature that owns it, so migrations
and `from surveys.models import X` keep working (as zulip's zerver/models/__init__.py does).

Words follow docs/domain.md: a Unit (机关单位) has Branches (党支部); a Round (测评批次) asks the
branches on its roster to answer one Questionnaire version; a Submission (答卷) holds one
Answer per Question.
"""

from surveys.audit.models import AuditEvent as AuditEvent
from surveys.evidence.models import Evidence as Evidence
from surveys.organisation.models import Branch as Branch
from surveys.organisation.models import SecretaryAssignment as SecretaryAssignment
from surveys.organisation.models import Unit as Unit
from surveys.organisation.models import User as User
from surveys.questionnaires.models import AspectTag as AspectTag
from surveys.questionnaires.models import CauseTag as CauseTag
from surveys.questionnaires.models import Dimension as Dimension
from surveys.questionnaires.models import GradeBand as GradeBand
from surveys.questionnaires.models import Question as Question
from surveys.questionnaires.models import Questionnaire as Questionnaire
from surveys.ratings.models import (  # noqa: E501, F401, I001
    Audience,
    RaterAnswer,
    RaterCode,
    RaterComment,
    RaterGroup,
    RaterItem,
    RaterQuestionnaire,
    RaterResponse,
    RatingSettings,
)
from surveys.rounds.models import Reminder as Reminder
from surveys.rounds.models import RosterEntry as RosterEntry
from surveys.rounds.models import RosterEntryQuerySet as RosterEntryQuerySet
from surveys.rounds.models import Round as Round
from surveys.rounds.models import effective_closes_at as effective_closes_at
from surveys.submissions.models import Answer as Answer
from surveys.submissions.models import Submission as Submission
from surveys.submissions.models import SubmissionSnapshot as SubmissionSnapshot
from surveys.verification.models import (  # noqa: F401, I001
    Appeal,
    AppealEvidence,
    RoundPublication,
    Verification,
    VerifiedAnswer,
)
