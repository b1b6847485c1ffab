"""Small cross-cutting helpers with no business meaning: structured logging and its log files."""

from work_data_hub.utils.logging import WorkDataHubLogger, configure_logging, get_logger

__all__ = ["WorkDataHubLogger", "configure_logging", "get_logger"]
