"""Settings classes. Every value can be overridden by the environment."""

from config.settings import Config, ProductionConfig, TestingConfig, config_for_environment

__all__ = ["Config", "ProductionConfig", "TestingConfig", "config_for_environment"]
