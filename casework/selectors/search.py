"""One search box across cases, contacts and properties, for staff.

Every match is served by an index, so a search stays quick with a million cases:
- a case number is matched exactly (the unique index on Case.number);
- contacts: every word in first name, last name, reference or email (trigram indexes on
  UPPER(column), the expression Django's icontains compiles to);
- properties: a postcode typed in any case, with or without its space, is matched exactly on the
  stored normalised postcode (btree index); the other words match the first address line
  (trigram index). Town and the second address line are not indexed, so they are not searched;
- cases: the exact number first, then the cases of the matching contacts and properties (the
  foreign-key indexes on Case.contact and Case.property).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from casework.models import Case, Contact, Property
from casework.selectors.cases import case_list_for
from casework.selectors.people import MAX_SEARCH_TERMS, contact_list_for, property_list_for
from casework.services.common import postcode_normalise
from core import errors

MIN_SEARCH_LENGTH = 2
GROUPS = ("cases", "contacts", "properties")


@dataclass
class SearchGroup:
    """One kind of result: the first `limit` rows and how many there are in all."""

    name: str
    rows: list = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> bool:
        return self.total > len(self.rows)


@dataclass
class SearchResults:
    text: str
    cases: SearchGroup
    contacts: SearchGroup
    properties: SearchGroup

    @property
    def groups(self) -> list[SearchGroup]:
        return [self.cases, self.contacts, self.properties]

    @property
    def total(self) -> int:
        return sum(group.total for group in self.groups)


def search_text_clean(text: str | None) -> str:
    """The search text with its spaces tidied. Raises ValidationError when it is empty or too
    short to be worth searching (one character matches nearly everything, slowly)."""
    text = " ".join((text or "").split())
    if not text:
        raise errors.ValidationError(fields={"q": [_("Enter a case number, name, address or postcode.")]})
    if len(text) < MIN_SEARCH_LENGTH:
        message = _("Enter at least %(count)d characters.") % {"count": MIN_SEARCH_LENGTH}
        raise errors.ValidationError(fields={"q": [message]})
    return text


def _postcode(text: str) -> str | None:
    try:
        return postcode_normalise(text)
    except errors.ValidationError:
        return None


def _split_postcode(words: list[str]) -> tuple[str | None, list[str]]:
    """A postcode at the end of the words ("12 high st sw1a1aa", "sw1a 1aa", "SW1A1AA") and the
    words before it. Only the end is tried: that is where people type a postcode."""
    for size in (2, 1):
        if len(words) >= size:
            found = _postcode("".join(words[-size:]))
            if found:
                return found, words[:-size]
    return None, words


# A word must appear in one of these columns; each has a trigram index on UPPER(column).
CONTACT_COLUMNS = ("first_name", "last_name", "reference", "email")
TRIGRAM = 3
# Stored postcodes are upper case letters, digits and one space, all before "~" in code point
# order: a prefix range (which the btree index serves) finds those that start with a word.
_AFTER_POSTCODE_CHARACTERS = "~"


def _ids_matching_any(queries: list[QuerySet]) -> QuerySet:
    """The ids matched by any of `queries`, as one UNION. Written as a WHERE with ORs over several
    columns, PostgreSQL estimates the trigram indexes dearer than reading the whole table, and
    reads every row (measured: 120 ms at 100,000 contacts); as a UNION each part uses its index."""
    parts = [query.order_by().values("pk") for query in queries]
    return parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]


def _contacts_matching(*, user, words: list[str]) -> QuerySet[Contact]:
    # The permission comes from contact_list_for; its external keys are not shown here, so their
    # prefetch (one more query) is dropped.
    contacts = contact_list_for(user=user).prefetch_related(None)
    for word in words[:MAX_SEARCH_TERMS]:
        if len(word) < TRIGRAM:
            # Too short for a trigram index: checked on the rows the other words found.
            contacts = contacts.filter(_any_column_contains(word, CONTACT_COLUMNS))
            continue
        matching = [Contact.objects.filter(**{f"{column}__icontains": word}) for column in CONTACT_COLUMNS]
        contacts = contacts.filter(pk__in=_ids_matching_any(matching))
    return contacts


def _any_column_contains(word: str, columns: tuple[str, ...]) -> Q:
    condition = Q()
    for column in columns:
        condition |= Q(**{f"{column}__icontains": word})
    return condition


def _properties_matching(*, user, words: list[str]) -> QuerySet[Property]:
    properties = property_list_for(user=user).select_related(None).select_related("patch")
    postcode, words = _split_postcode(words)
    if postcode:
        properties = properties.filter(postcode=postcode)
    for word in words[:MAX_SEARCH_TERMS]:
        prefix = word.upper()
        matching = [
            Property.objects.filter(address_line_1__icontains=word),
            # A word alone may be the start of a postcode ("SW1A").
            Property.objects.filter(postcode__gte=prefix, postcode__lt=prefix + _AFTER_POSTCODE_CHARACTERS),
        ]
        properties = properties.filter(pk__in=_ids_matching_any(matching))
    return properties


def _cases_matching(*, user, text: str, contacts: QuerySet, properties: QuerySet) -> QuerySet[Case]:
    number = text.replace(" ", "").upper()
    # Three indexed lookups joined by UNION, not one WHERE with ORs: with ORs PostgreSQL reads
    # every case to test each one; with UNION each part uses its own index.
    ids = (
        Case.objects.filter(number=number)
        .order_by()
        .values("pk")
        .union(
            Case.objects.filter(contact__in=contacts.order_by().values("pk")).order_by().values("pk"),
            Case.objects.filter(property__in=properties.order_by().values("pk")).order_by().values("pk"),
        )
    )
    return (
        case_list_for(user=user)
        .filter(pk__in=ids)
        .annotate(
            exact=SqlCase(When(number=number, then=Value(0)), default=Value(1), output_field=IntegerField()),
        )
        .order_by("exact", "-created_at", "-pk")
    )


def search_querysets(*, user, text: str) -> dict[str, QuerySet]:
    """The three result querysets for `text` (already cleaned with search_text_clean), ordered
    for display: {"cases": …, "contacts": …, "properties": …}. Staff only; anyone else gets
    empty querysets."""
    words = text.split()
    _postcode, other_words = _split_postcode(words)
    # Contacts have no postcode: a search that is only a postcode finds none of them.
    contacts = _contacts_matching(user=user, words=other_words) if other_words else Contact.objects.none()
    properties = _properties_matching(user=user, words=words)
    cases = _cases_matching(user=user, text=text, contacts=contacts, properties=properties)
    return {
        "cases": cases,
        "contacts": contacts.order_by("last_name", "first_name", "reference"),
        "properties": properties.order_by("postcode", "address_line_1", "address_line_2", "pk"),
    }


def search_for(*, user, text: str | None, limit: int = 10) -> SearchResults:
    """Cases, contacts and properties matching `text`, each group cut to `limit` rows with its
    total count: six queries (one page and one count per group) whatever the number of matches.
    Staff only (anyone else finds nothing). Raises ValidationError when the text is empty or
    shorter than two characters."""
    text = search_text_clean(text)
    querysets = search_querysets(user=user, text=text)
    groups = {}
    for name, queryset in querysets.items():
        rows = list(queryset[:limit])
        total = queryset.count()
        groups[name] = SearchGroup(name=name, rows=rows, total=total)
    return SearchResults(text=text, **groups)
