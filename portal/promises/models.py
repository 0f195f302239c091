"""The shop as the promise sees it: its calendar, workstations and routings, each open order's
planned work, and the calibration of promises from finished jobs."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.database import UTCDateTime, utcnow
from portal.extensions import db
from portal.promises import rules


class Closure(db.Model):
    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason: Mapped[str] = mapped_column(String(120))


class Station(db.Model):
    """A workstation: the prepress desk, a press, the wide-format printer, the bindery, mail prep."""

    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    minutes_per_day: Mapped[int] = mapped_column(Integer)  # working minutes on a business day
    # The weekdays whose minutes differ from minutes_per_day ({"fri": 600}); None: every day the same.
    weekday_minutes: Mapped[dict | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)

    def minutes_on_weekdays(self) -> dict[str, int]:
        """Working minutes for each weekday, Monday to Friday (rules.WEEKDAYS)."""
        return {day: (self.weekday_minutes or {}).get(day, self.minutes_per_day) for day in rules.WEEKDAYS}


class StationDowntime(db.Model):
    """A station out of service for a day (maintenance, a breakdown)."""

    __tablename__ = "station_downtime"
    __table_args__ = (UniqueConstraint("station_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(120), default="")

    station: Mapped[Station] = relationship()


class RouteStep(db.Model):
    """One step of a product's routing through the shop, with the minutes it takes."""

    __tablename__ = "route_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    position: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))  # prepress, printing, finishing
    setup_minutes: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal(0))
    per_copy: Mapped[Decimal] = mapped_column(Numeric(10, 5), default=Decimal(0))
    per_sheet: Mapped[Decimal] = mapped_column(Numeric(10, 5), default=Decimal(0))
    per_impression: Mapped[Decimal] = mapped_column(Numeric(10, 5), default=Decimal(0))
    when_option: Mapped[str | None] = mapped_column(String(30))
    when_choices: Mapped[list] = mapped_column(JSON, default=list)

    station: Mapped[Station] = relationship()

    def rule(self) -> rules.RouteStep:
        return rules.RouteStep(station=self.station.code, stage=self.stage, setup_minutes=float(self.setup_minutes),
                               per_copy=float(self.per_copy), per_sheet=float(self.per_sheet),
                               per_impression=float(self.per_impression), when_option=self.when_option,
                               when_choices=tuple(self.when_choices or ()))


class OrderWork(db.Model):
    """The planned minutes of one order at one station; done when the order leaves that stage, and
    queued while the order is neither on hold nor waiting for its approver (job_moved keeps both)."""

    __tablename__ = "order_work"
    __table_args__ = (Index("ix_order_work_open", "done", "queued", "station_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    position: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[float] = mapped_column(Float)
    rush: Mapped[bool] = mapped_column(Boolean, default=False)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    queued: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Calibration(db.Model):
    """A product's buffer as calibrated from finished jobs: how it changed, and on what evidence."""

    __tablename__ = "calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    buffer_days: Mapped[int] = mapped_column(Integer)
    previous_buffer_days: Mapped[int | None] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)
    percentile: Mapped[float] = mapped_column(Float)
    late_share: Mapped[float | None] = mapped_column(Float)  # share of the samples later than their plan


class ClearanceCalibration(db.Model):
    """The shop's usual copyright clearance time as calibrated from its answered requests (rules.clearance_business_days):
    how it changed, and on what evidence. The latest is the figure promises allow; before any, the stated one."""

    __tablename__ = "clearance_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    business_days: Mapped[int] = mapped_column(Integer)
    previous_business_days: Mapped[int | None] = mapped_column(Integer)
    samples: Mapped[int] = mapped_column(Integer)  # answered requests it was calibrated from
    percentile: Mapped[float] = mapped_column(Float)


class LastReplan(db.Model):
    """The latest re-plan (one row): the data version it read the shop at, the day, and the day work resumed. The
    worker's five-minute re-plan is skipped while none of them has moved (portal.keeping.services.replan_is_due)."""

    __tablename__ = "last_replan"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    data_version: Mapped[int] = mapped_column(BigInteger)
    today: Mapped[date] = mapped_column(Date)
    resumes: Mapped[date] = mapped_column(Date)
    planned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StationLoad(db.Model):
    """Planned minutes per station per business day, from the latest re-plan (the load chart)."""

    __tablename__ = "station_load"

    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    minutes: Mapped[float] = mapped_column(Float)
