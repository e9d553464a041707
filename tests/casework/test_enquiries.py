"""Housing-options enquiries: staff take one on the enquiry form; the case opens with its tasks;
the information pack PDF holds exactly the matching advice (every generic statement, and the
form's whose conditions the answers meet); bad answers are refused with nothing stored."""

import io

import pytest
from pypdf import PdfReader

from casework.models import (
    AdviceStatement,
    Case,
    Contact,
    Enquiry,
    EnquiryForm,
    EnquiryQuestion,
    PathStep,
    Task,
    Workflow,
    WorkflowPath,
)
from casework.services.enquiries import condition_problems
from casework.services.paths import path_publish
from tests.casework.factories import CaseTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def homelessness(db):
    options = CaseTypeFactory(workflow=Workflow.HOUSING_OPTIONS)
    path = WorkflowPath.objects.create(case_type=options, name="Assessment", starts_automatically=False)
    PathStep.objects.create(path=path, position=1, name="Assess", kind="task", task_subject="Assess the household")
    path_publish(path=path)
    form = EnquiryForm.objects.create(
        case_type=options, name="Homelessness enquiry", intro="What we talked about today.", path=path
    )
    for position, (key, text, kind, options_text) in enumerate(
        [
            ("homeless_tonight", "Have you somewhere safe to sleep tonight?", "yes_no", ""),
            ("children", "How many children live with you?", "number", ""),
            ("tenure", "Where do you live now?", "choice", "Private rented\nSocial housing\nWith family"),
        ],
        start=1,
    ):
        EnquiryQuestion.objects.create(
            form=form, position=position, key=key, text=text, kind=kind, options=options_text
        )
    AdviceStatement.objects.create(title="Your rights in every case", body="We must help you.", position=0)
    AdviceStatement.objects.create(
        form=form, title="Emergency accommodation", body="Call us today.", condition="homeless_tonight = no", position=1
    )
    AdviceStatement.objects.create(
        form=form, title="Families with children", body="Priority need.", condition="children > 0", position=2
    )
    AdviceStatement.objects.create(
        form=form,
        title="Private renters: notices",
        body="Check your section 21 notice.",
        condition="tenure = Private rented\nhomeless_tonight = yes",
        position=3,
    )
    AdviceStatement.objects.create(title="Switched off", body="Old advice.", is_active=False)
    return form


def _post(client, form, **answers):
    data = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "source": "phone"}
    data |= {f"q_{key}": value for key, value in answers.items()}
    return client.post(f"/staff/enquiries/{form.pk}/", data)


def _pack_text(enquiry: Enquiry) -> str:
    with enquiry.pack.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_an_enquiry_opens_a_case_with_its_tasks_and_a_pack_of_exactly_the_matching_advice(
    client, caseworker, homelessness
):
    client.force_login(caseworker)
    assert (
        "Have you somewhere safe to sleep tonight?"
        in client.get(f"/staff/enquiries/{homelessness.pk}/").content.decode()
    )
    response = _post(client, homelessness, homeless_tonight="no", children="2", tenure="Private rented")
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{enquiry.case_id}/"
    case = enquiry.case
    assert (case.case_type, case.contact.last_name, case.owner) == (homelessness.case_type, "Lovelace", caseworker)
    assert enquiry.answers == {"homeless_tonight": "no", "children": "2", "tenure": "Private rented"}
    assert Task.objects.get(case=case).subject == "Assess the household"

    titles = [s.title for s in enquiry.statements.order_by("position")]
    assert titles == ["Your rights in every case", "Emergency accommodation", "Families with children"]
    text = _pack_text(enquiry)
    for title in titles:
        assert title in text
    for absent in ("Private renters: notices", "Switched off"):
        assert absent not in text
    assert "Your housing options: Homelessness enquiry" in text
    page = client.get(f"/staff/cases/{case.pk}/").content.decode()
    assert "housing-options-information-pack.pdf" in page


def test_other_answers_choose_other_advice(client, caseworker, homelessness):
    client.force_login(caseworker)
    _post(client, homelessness, homeless_tonight="yes", children="0", tenure="Private rented")
    enquiry = Enquiry.objects.get()
    assert [s.title for s in enquiry.statements.order_by("position")] == [
        "Your rights in every case",
        "Private renters: notices",
    ]


def test_bad_answers_are_refused_and_nothing_is_stored(client, caseworker, homelessness):
    client.force_login(caseworker)
    response = _post(client, homelessness, homeless_tonight="", children="two", tenure="A boat")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Answer “Have you somewhere safe to sleep tonight?”." in html
    assert "Enter a whole number, like 2." in html
    assert "Choose one of: Private rented, Social housing, With family." in html
    assert not Enquiry.objects.exists() and not Case.objects.exists() and not Contact.objects.exists()


def test_a_condition_on_a_question_the_form_does_not_ask_is_refused(homelessness):
    wrong = AdviceStatement(form=homelessness, title="x", body="x", condition="pets = yes")
    assert condition_problems(wrong) == [
        "Line 1: the form has no question “pets” (it has children, homeless_tonight, tenure)."
    ]
    generic = AdviceStatement(title="x", body="x", condition="children > 0")
    assert "leave its condition empty" in condition_problems(generic)[0]
