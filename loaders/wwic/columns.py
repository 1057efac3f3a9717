"""The WhoWasInCommand CSV columns and the Silsila fields they carry, for reading and writing.

Every value column X has X:source (access point ids) and X:confidence; a date column X has
X_year, X_month, X_day and often a flag column (Y/N/E). The tables below name each column
once, so that the reader and the exporter cannot drift apart.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from enum import StrEnum

UNITS = "units.csv"
PERSONS = "persons.csv"
PERSONS_EXTRA = "persons_extra.csv"
INCIDENTS = "incidents.csv"
SOURCES = "sources.csv"
FILES = (SOURCES, UNITS, PERSONS, PERSONS_EXTRA, INCIDENTS)  # the order they are read in

SFM = "sfm-"  # the format's prefix inside every id it mints
IMPORTABLE_STATUS = "3"
LIST_SEPARATOR = ";"
CONFIDENCES = ("Low", "Medium", "High")  # lowest first


class Flag(StrEnum):
    """What a date's flag column says, and which fields it sets."""

    START = "start"  # Y/N: the first cited date is the real start
    OPEN = "open"  # Y: open-ended, N: not, E: "exact", the last cited date is the end
    END = "end"  # Y/N: the last cited date is the end


FLAG_FIELDS = {
    Flag.START: {"Y": {"first_cited_is_start": True}, "N": {"first_cited_is_start": False}},
    Flag.OPEN: {  # E first: the exporter writes the first code whose fields a record has
        "E": {"last_cited_is_end": True},
        "Y": {"open_ended": True},
        "N": {"open_ended": False},
    },
    Flag.END: {"Y": {"last_cited_is_end": True}, "N": {"last_cited_is_end": False}},
}


@dataclass(frozen=True)
class Value:
    """A value column X (with X:source and X:confidence) and the record field it fills."""

    column: str
    field: str
    multiple: bool = False


@dataclass(frozen=True)
class Date:
    """A date column X (with X_year, X_month, X_day, X:source, X:confidence) and its flag."""

    column: str
    field: str
    flag_column: str | None = None
    flag: Flag | None = None

    @property
    def parts(self) -> tuple[str, str, str]:
        """The year, month and day columns."""
        return (f"{self.column}_year", f"{self.column}_month", f"{self.column}_day")


def source_column(column: str) -> str:
    return f"{column}:source"


def confidence_column(column: str) -> str:
    return f"{column}:confidence"


# ----- units.csv ----------------------------------------------------------------------

UNIT_ID = "unit:id:admin"
UNIT_VALUES = (
    Value("unit:name", "name"),
    Value("unit:other_names", "aliases", multiple=True),
    Value("unit:classification", "classification", multiple=True),
    Value("unit:country", "country"),
)
UNIT_DATES = (
    Date("unit:first_cited_date", "first_cited", "unit:first_cited_date_start", Flag.START),
    Date("unit:last_cited_date", "last_cited", "unit:last_cited_date_open", Flag.OPEN),
)
RELATION_TYPE = "unit:relation_type"
RELATED_UNIT_ID = "unit:related_unit_id:admin"
RELATED_UNIT = "unit:related_unit"  # the related unit's name; its sources cite the relation
RELATIONS = {"child": "command", "member": "member"}  # SFM relation type -> Silsila relation
RELATION_DATES = (
    Date(
        "unit:related_unit_first_cited_date",
        "first_cited",
        "unit:related_unit_first_cited_date_start",
        Flag.START,
    ),
    Date("unit:related_unit_last_cited_date", "last_cited", "unit:related_unit_open", Flag.OPEN),
)
LOCATION_TYPE = "unit:location_type"
LOCATION = "unit:location"
SITE_KINDS = {"site": "site", "aoo": "area_of_operations"}
BASE_NAME = Value("unit:base_name", "base_name")
SITE_DATES = (
    Date(
        "unit:location_first_cited_date",
        "first_cited",
        "unit:location_first_cited_date_founding",
        Flag.START,
    ),
    Date("unit:location_last_cited_date", "last_cited", "unit:location_open", Flag.OPEN),
)

# ----- persons.csv and persons_extra.csv ------------------------------------------------

PERSON_ID = "person:id:admin"
PERSON_VALUES = (
    Value("person:name", "name"),
    Value("person:other_names", "aliases", multiple=True),
    Value("person:country", "country"),
)
POSTING_UNIT_ID = "person:posting_unit_id:admin"
POSTING_UNIT_NAME = "person:posting_unit_name"
POSTING_UNIT = "person:posting_unit"  # only its :source and :confidence columns exist
POSTING_ROLE = Value("person:posting_role", "role")
POSTING_VALUES = (
    POSTING_ROLE,
    Value("person:posting_title", "title"),
    Value("person:posting_rank", "rank"),
)
POSTING_DATES = (
    Date(
        "person:posting_first_cited_date",
        "first_cited",
        "person:posting_first_cited_date_start",
        Flag.START,
    ),
    Date(
        "person:posting_last_cited_date",
        "last_cited",
        "person:posting_last_cited_date_end",
        Flag.END,
    ),
)
# A posting's start and end context, kept as labelled lines of its description.
POSTING_CONTEXTS = (
    ("person:posting_first_cited_date_start_context", "Start context: "),
    ("person:posting_last_cited_date_end_context", "End context: "),
)
# The command roles in Silsila's words, and as SFM's role list spells them: read in any case,
# stored in Silsila's words (which the chain of command looks for), written back in SFM's.
COMMAND_ROLES = {"commander": "Commander", "head": "Head"}

EXTRA_ID = "person_extra:id:admin"
EXTRA_NAME = "person_extra:name"
GENDER = Value("person_extra:gender", "gender")
BIRTH_DATE = Value("person_extra:date_of_birth", "birth_date", multiple=True)
DECEASED = Value("person_extra:deceased", "deceased")
YES_NO = {"Y": True, "N": False}

# ----- incidents.csv ------------------------------------------------------------------

INCIDENT_ID = "incident:id:admin"
INCIDENT_DATES = (Date("incident:start_date", "start"), Date("incident:end_date", "end"))
INCIDENT_SOURCE = "incident:all:source"
LOCATION_DESCRIPTION = "incident:location_description"
INCIDENT_LOCATION = "incident:location"
VIOLATION_TYPE = "incident:violation_type"
VIOLATION_DESCRIPTION = "incident:violation_description"
PERPETRATOR_PERSONS = ("incident:perpetrator_person_id:admin", "incident:perpetrator_person_name")
PERPETRATOR_UNITS = ("incident:perpetrator_unit_id:admin", "incident:perpetrator_unit_name")

# ----- sources.csv --------------------------------------------------------------------

ACCESS_POINT_ID = "source:access_point_id:admin"
RESTRICTED = "source:restricted:admin"
TITLE = "source:title"
TRIGGER = "source:access_point_trigger"  # a page number or a clip's times
# Source record field <- column, for the document an access point belongs to.
DOCUMENT_COLUMNS = (
    ("kind", "source:type"),
    ("title", TITLE),
    ("author", "source:author"),
    ("url", "source:url"),
    ("publisher", "source:publication_name"),
    ("publisher_country", "source:publication_country"),
)
PUBLISHED = "source:published_timestamp"
# Citation field <- column, for the access point itself.
ACCESS_POINT_COLUMNS = (
    ("access_point_kind", "source:access_point_type"),
    ("page", TRIGGER),
    ("archive_url", "source:archive_url"),
    ("archived_at", "source:archive_timestamp"),
)


# The review status and comments of the files that have them (a row imports at status 3).
STATUS_COLUMNS = {
    UNITS: "unit:status:admin",
    PERSONS: "person:status:admin",
    INCIDENTS: "incident:status:admin",
}
COMMENTS_COLUMNS = {
    UNITS: "unit:comments:admin",
    PERSONS: "person:comments:admin",
    INCIDENTS: "incident:comments:admin",
}


# ----- ids ----------------------------------------------------------------------------


def silsila_id(prefix: str, external: str) -> str:
    """`org` + `494A…` -> `org:sfm-494a…`; an id that is already Silsila's (has ':') stays."""
    text = external.strip()
    return text if ":" in text else f"{prefix}:{SFM}{text.lower()}"


def external_id(prefix: str, record_id: str) -> str:
    """The id to write back: the SFM uuid of `org:sfm-<uuid>`, else the Silsila id."""
    return record_id.removeprefix(f"{prefix}:{SFM}")


def derived_id(prefix: str, *parts: str) -> str:
    """A deterministic id for a record SFM gives no id of its own (a posting, a relation)."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return f"{prefix}:{SFM}{digest}"


# ----- the files' columns, in SFM's order -----------------------------------------------

HEADERS = {
    UNITS: (
        "unit:owner:admin", "unit:status:admin", "unit:comments:admin", "unit:id:admin",
        "unit:name", "unit:name:source", "unit:name:confidence",
        "unit:other_names", "unit:other_names:source", "unit:other_names:confidence",
        "unit:classification", "unit:classification:source", "unit:classification:confidence",
        "unit:country", "unit:country:source", "unit:country:confidence",
        "unit:first_cited_date", "unit:first_cited_date_month", "unit:first_cited_date_day",
        "unit:first_cited_date_year", "unit:first_cited_date:source",
        "unit:first_cited_date:confidence", "unit:first_cited_date_start",
        "unit:last_cited_date", "unit:last_cited_date_month", "unit:last_cited_date_day",
        "unit:last_cited_date_year", "unit:last_cited_date:source",
        "unit:last_cited_date:confidence", "unit:last_cited_date_open",
        "unit:relation_type", "unit:related_unit_id:admin",
        "unit:related_unit", "unit:related_unit:source", "unit:related_unit:confidence",
        "unit:related_unit_class", "unit:related_unit_class:source",
        "unit:related_unit_class:confidence",
        "unit:related_unit_first_cited_date", "unit:related_unit_first_cited_date_month",
        "unit:related_unit_first_cited_date_day", "unit:related_unit_first_cited_date_year",
        "unit:related_unit_first_cited_date:source",
        "unit:related_unit_first_cited_date:confidence",
        "unit:related_unit_first_cited_date_start",
        "unit:related_unit_last_cited_date", "unit:related_unit_last_cited_date_month",
        "unit:related_unit_last_cited_date_day", "unit:related_unit_last_cited_date_year",
        "unit:related_unit_last_cited_date:source",
        "unit:related_unit_last_cited_date:confidence", "unit:related_unit_open",
        "unit:location_type", "unit:base_name", "unit:base_name:source",
        "unit:base_name:confidence", "unit:location", "unit:location:source",
        "unit:location:confidence",
        "unit:location_first_cited_date", "unit:location_first_cited_date_month",
        "unit:location_first_cited_date_day", "unit:location_first_cited_date_year",
        "unit:location_first_cited_date:source", "unit:location_first_cited_date:confidence",
        "unit:location_first_cited_date_founding",
        "unit:location_last_cited_date", "unit:location_last_cited_date_month",
        "unit:location_last_cited_date_day", "unit:location_last_cited_date_year",
        "unit:location_last_cited_date:source", "unit:location_last_cited_date:confidence",
        "unit:location_open", "unit:notes:admin",
    ),
    PERSONS: (
        "person:owner:admin", "person:status:admin", "person:comments:admin", "person:id:admin",
        "person:name", "person:name:source", "person:name:confidence",
        "person:other_names", "person:other_names:source", "person:other_names:confidence",
        "person:country", "person:country:source", "person:country:confidence",
        "person:posting_unit_id:admin", "person:posting_unit_name",
        "person:posting_unit:source", "person:posting_unit:confidence",
        "person:posting_role", "person:posting_role:source", "person:posting_role:confidence",
        "person:posting_title", "person:posting_title:source",
        "person:posting_title:confidence",
        "person:posting_rank", "person:posting_rank:source", "person:posting_rank:confidence",
        "person:posting_first_cited_date", "person:posting_first_cited_date_month",
        "person:posting_first_cited_date_day", "person:posting_first_cited_date_year",
        "person:posting_first_cited_date:source", "person:posting_first_cited_date:confidence",
        "person:posting_first_cited_date_start",
        "person:posting_first_cited_date_start_context",
        "person:posting_first_cited_date_start_context:source",
        "person:posting_first_cited_date_start_context:confidence",
        "person:posting_last_cited_date", "person:posting_last_cited_date_month",
        "person:posting_last_cited_date_day", "person:posting_last_cited_date_year",
        "person:posting_last_cited_date:source", "person:posting_last_cited_date:confidence",
        "person:posting_last_cited_date_end",
        "person:posting_last_cited_date_end_context",
        "person:posting_last_cited_date_end_context:source",
        "person:posting_last_cited_date_end_context:confidence",
        "person:notes:admin",
    ),
    PERSONS_EXTRA: (
        "person_extra:name", "person_extra:id:admin",
        "person_extra:gender", "person_extra:gender:source", "person_extra:gender:confidence",
        "person_extra:date_of_birth", "person_extra:date_of_birth:source",
        "person_extra:date_of_birth:confidence",
        "person_extra:deceased", "person_extra:deceased:source",
        "person_extra:deceased:confidence",
        "person_extra:deceased_date", "person_extra:deceased_date:source",
        "person_extra:deceased_date:confidence",
        "person_extra:account_type", "person_extra:account_id", "person_extra:account:source",
        "person_extra:account:confidence",
        "person_extra:external_link_description", "person_extra:external_link:source",
        "person_extra:external_link:confidence",
        "person_extra:media_desc", "person_extra:media:source", "person_extra:media:confidence",
        "person_extra:notes:admin",
    ),
    INCIDENTS: (
        "incident:owner:admin", "incident:status:admin", "incident:comments:admin",
        "incident:id:admin",
        "incident:start_date", "incident:start_date_month", "incident:start_date_day",
        "incident:start_date_year",
        "incident:end_date", "incident:end_date_month", "incident:end_date_day",
        "incident:end_date_year",
        "incident:pub_date", "incident:pub_date_month", "incident:pub_date_day",
        "incident:pub_date_year",
        "incident:update_date", "incident:update_date_month", "incident:update_date_day",
        "incident:update_date_year", "incident:update_status",
        "incident:location_description", "incident:location",
        "incident:violation_type", "incident:violation_description",
        "incident:perpetrator_person_id:admin", "incident:perpetrator_person_name",
        "incident:perpetrator_unit_id:admin", "incident:perpetrator_unit_name",
        "incident:perpetrator_classification", "incident:all:source",
    ),
    SOURCES: (
        "source:comments:admin", "source:restricted:admin",
        "source:external_archive_sha_content:admin", "source:external_archive_sha_meta:admin",
        "source:access_point_id:admin", "source:type", "source:title", "source:author",
        "source:url", "source:created_timestamp", "source:uploaded_timestamp",
        "source:published_timestamp", "source:accessed_timestamp",
        "source:access_point_type", "source:access_point_trigger",
        "source:archive_url", "source:archive_timestamp",
        "source:publication_country", "source:publication_name", "source:publication_id:admin",
    ),
}  # fmt: skip
# The columns the importer does not read: SFM's bookkeeping, and values Silsila has no field
# for. Every other column of HEADERS must be in its file, or its values would be lost unseen.
UNREAD = {
    UNITS: (
        "unit:owner:admin", "unit:related_unit_class",
        "unit:related_unit_class:source", "unit:related_unit_class:confidence",
        "unit:notes:admin",
    ),
    PERSONS: ("person:owner:admin", "person:posting_unit_name", "person:notes:admin"),
    PERSONS_EXTRA: (
        "person_extra:name", "person_extra:deceased_date", "person_extra:deceased_date:source",
        "person_extra:deceased_date:confidence", "person_extra:account_type",
        "person_extra:account_id", "person_extra:account:source",
        "person_extra:account:confidence", "person_extra:external_link_description",
        "person_extra:external_link:source", "person_extra:external_link:confidence",
        "person_extra:media_desc", "person_extra:media:source", "person_extra:media:confidence",
        "person_extra:notes:admin",
    ),
    INCIDENTS: (
        "incident:owner:admin",
        "incident:pub_date", "incident:pub_date_month", "incident:pub_date_day",
        "incident:pub_date_year",
        "incident:update_date", "incident:update_date_month", "incident:update_date_day",
        "incident:update_date_year", "incident:update_status",
        "incident:perpetrator_person_name", "incident:perpetrator_unit_name",
        "incident:perpetrator_classification",
    ),
    SOURCES: (
        "source:comments:admin", "source:external_archive_sha_content:admin",
        "source:external_archive_sha_meta:admin", "source:created_timestamp",
        "source:uploaded_timestamp", "source:accessed_timestamp", "source:publication_id:admin",
    ),
}  # fmt: skip
# The columns each file must have: every one the importer reads.
REQUIRED_COLUMNS = {
    name: tuple(column for column in header if column not in UNREAD[name])
    for name, header in HEADERS.items()
}
