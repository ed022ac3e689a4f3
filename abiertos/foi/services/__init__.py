"""Writes of the FOI app. Callers use ``from abiertos.foi import services`` and
``services.<entity>_<verb>(...)``; the modules group them by concern."""

from .attachments import foi_attachment_add, foi_attachment_remove
from .bodies import ProvincialBodyInput, provincial_body_create
from .moderation import foi_report_dismiss, foi_request_hide, foi_request_report, foi_request_unhide
from .opendata import (
    OPEN_DATASET_IDENTIFIER,
    OPEN_DATASET_JOB_KIND,
    foi_answer_to_dataset,
    foi_open_dataset_refresh,
    open_dataset_job_run,
    open_dataset_refresh_soon,
)
from .requests import (
    RequestInput,
    complaint_allowed,
    complaint_deadline,
    complaint_review_body,
    foi_request_acknowledge,
    foi_request_answer,
    foi_request_ask_clarification,
    foi_request_clarify,
    foi_request_complain,
    foi_request_declare_not_held,
    foi_request_extend,
    foi_request_file,
    foi_request_forward,
    foi_request_refuse,
    foi_request_withdraw,
    pseudonym_for,
)
from .rules import OrdinanceInput, access_ordinance_set, non_working_day_add, non_working_day_remove

__all__ = [
    "OPEN_DATASET_IDENTIFIER",
    "OPEN_DATASET_JOB_KIND",
    "OrdinanceInput",
    "ProvincialBodyInput",
    "RequestInput",
    "access_ordinance_set",
    "complaint_allowed",
    "complaint_deadline",
    "complaint_review_body",
    "foi_answer_to_dataset",
    "foi_attachment_add",
    "foi_attachment_remove",
    "foi_open_dataset_refresh",
    "foi_report_dismiss",
    "foi_request_acknowledge",
    "foi_request_answer",
    "foi_request_ask_clarification",
    "foi_request_clarify",
    "foi_request_complain",
    "foi_request_declare_not_held",
    "foi_request_extend",
    "foi_request_file",
    "foi_request_forward",
    "foi_request_hide",
    "foi_request_refuse",
    "foi_request_report",
    "foi_request_unhide",
    "foi_request_withdraw",
    "non_working_day_add",
    "non_working_day_remove",
    "open_dataset_job_run",
    "open_dataset_refresh_soon",
    "provincial_body_create",
    "pseudonym_for",
]
