"""The import pipeline (docs/import-templates.md): read .xlsx/.xls/.csv, recognise each sheet's template by its header
row, validate the whole file, and write it in one transaction or not at all."""
from data.importers.base import FileReport, ImportIssue, ImportResult
from data.importers.pipeline import import_files, import_uploads
from data.importers.templates import TEMPLATES, Column, Template, template_xlsx

__all__ = ["import_files", "import_uploads", "ImportResult", "ImportIssue", "FileReport", "TEMPLATES",
           "Template", "Column", "template_xlsx"]
