"""Service settings, validated by pydantic."""

from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings


class CacheOptions(BaseModel):
    size_mb: int = Field(512, ge=16, le=8192, description="cache size in MB")
    ttl_s: float = Field(default=60.0, gt=0, description="time to live, seconds")
    policy: Literal["lru", "lfu"] = "lru"


class AppSettings(BaseSettings):
    workers: int = Field(4, ge=1, le=64)
    request_timeout: float = Field(10.0, description="seconds, 0.5 to 60")
    log_level: str = "info"  # debug/info/warning/error
    compression: str = Field("gzip", description="one of: gzip, br, none")
    retries: int = 3

    class Config:
        env_prefix = "APP_"
        case_sensitive = False
