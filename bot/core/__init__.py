"""The answering core: parsed question → hits → answer, behind one front door.

The CLI and the Telegram bot import from here only (a contract in `make test` checks it).
"""

from bot.core.answer import Answer, Quote
from bot.core.answer_eval import evaluate_answer_file
from bot.core.assistant import Assistant, check_readable, export_chunks, read_overview
from bot.core.citation import Citation, citation_label
from bot.core.evaluate import evaluate_question_file, evaluate_squad_file
from bot.core.fact_eval import evaluate_fact_file
from bot.core.fact_table import COLUMNS as FACT_COLUMNS
from bot.core.fact_table import fact_row, facts_workbook
from bot.core.knowledge_base import (
    FolderState,
    NotReady,
    RemovalsHeld,
    SyncReport,
    converter,
    folder_state,
    sync,
)
from bot.core.overview import Overview
from bot.core.question import example_topic, question_problem, script_of
from bot.core.retrieval import LEVELS, MODES, Filters, Hit, SearchResult
from knowledge.readers import SUPPORTED_SUFFIXES, UnreadableFile
from knowledge.records import ChunkRecord, DocumentRecord, FactRecord
from knowledge.store import is_damage, set_aside

__all__ = [
    "FACT_COLUMNS",
    "LEVELS",
    "MODES",
    "SUPPORTED_SUFFIXES",
    "Answer",
    "Assistant",
    "ChunkRecord",
    "Citation",
    "DocumentRecord",
    "FactRecord",
    "Filters",
    "FolderState",
    "Hit",
    "NotReady",
    "Overview",
    "Quote",
    "RemovalsHeld",
    "SearchResult",
    "SyncReport",
    "UnreadableFile",
    "check_readable",
    "citation_label",
    "converter",
    "evaluate_answer_file",
    "evaluate_fact_file",
    "evaluate_question_file",
    "evaluate_squad_file",
    "example_topic",
    "export_chunks",
    "fact_row",
    "facts_workbook",
    "folder_state",
    "is_damage",
    "question_problem",
    "read_overview",
    "script_of",
    "set_aside",
    "sync",
]
