"""Analytics and reports for cadre planning ("quy hoạch cán bộ")."""
from analysis.errors import AnalysisError, BuildError, DatasetError, ParameterError, RulesError

__version__ = "0.1.0"
