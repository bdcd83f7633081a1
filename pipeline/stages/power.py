"""Power stages: accelerators -> IT power -> facility power.

All inputs are pint Quantities (scalars or arrays broadcasting together); outputs keep units.
"""

from __future__ import annotations

import numpy as np
import pint

from pipeline.units import check, ureg


@check("[power]", "[power]", "[]")
def accelerator_power(full_power: pint.Quantity, idle_power: pint.Quantity, utilization: pint.Quantity) -> pint.Quantity:
    """Mean power of one accelerator at a mean load [W].

    Parameters
    ----------
    full_power : Quantity
        Full-load board power per accelerator (the TDP unless measured) [W].
    idle_power : Quantity
        Idle board power per accelerator [W].
    utilization : Quantity
        Mean load, 0..1 [dimensionless].

    Notes
    -----
    Linear power model used by e-footprint and Cloud Carbon Footprint:
    ``P(u) = P_idle + u * (P_full - P_idle)``.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> accelerator_power(Q_(700, "W"), Q_(70, "W"), Q_(0.8, "")).to("W")
    <Quantity(574.0, 'watt')>
    """
    return idle_power + utilization * (full_power - idle_power)


@check("[power]", "[power]")
def server_power_per_accelerator(accelerator_power: pint.Quantity, host_power: pint.Quantity) -> pint.Quantity:
    """Mean IT power per accelerator including its share of the host server [W].

    ``host_power`` (CPUs, memory, NICs, fans, PSU losses per accelerator) is drawn while the
    server runs and is not scaled by utilization.
    """
    return accelerator_power + host_power


@check("[]", "[power]")
def it_power(count: pint.Quantity, server_power_per_accelerator: pint.Quantity) -> pint.Quantity:
    """Mean IT power of an accelerator group: ``count * (P(u) + P_host)`` [W]."""
    return count * server_power_per_accelerator


@check("[power]", "[power]")
def host_power_peak(host_power: pint.Quantity, host_power_nameplate: pint.Quantity) -> pint.Quantity:
    """Host power per accelerator at peak [W]: the nameplate share of the server where one is known (what a
    utility must provision), else the operating host power; NaN nameplate means none.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> host_power_peak(Q_([350.0, 150.0], "W"), Q_([575.0, float("nan")], "W")).m_as("W").tolist()
    [575.0, 150.0]
    """
    nameplate = host_power_nameplate.m_as("W")
    return ureg.Quantity(np.where(np.isnan(nameplate), host_power.m_as("W"), nameplate), "W")


@check("[]", "[power]", "[power]")
def it_power_peak(count: pint.Quantity, full_power: pint.Quantity, host_power: pint.Quantity) -> pint.Quantity:
    """Peak IT power of an accelerator group: ``count * (P_full + P_host,peak)`` [W], at nameplate: what the
    utility must provision, above what the group draws even at full load.

    Examples
    --------
    >>> from pipeline.units import Q_
    >>> it_power_peak(Q_(8, ""), Q_(700, "W"), Q_(575, "W")).to("kW")
    <Quantity(10.2, 'kilowatt')>
    """
    return count * (full_power + host_power)


@check("[power]", "[]")
def facility_power(it_power: pint.Quantity, pue: pint.Quantity) -> pint.Quantity:
    """Facility power: IT power times power usage effectiveness [W].

    PUE is The Green Grid's ratio of facility energy to IT energy; applying it to peak IT power
    assumes the same overhead ratio at peak (a simplification, printed in the report).
    """
    return it_power * pue


@check("[power]", "[power]")
def facility_overhead_power(total: pint.Quantity, part: pint.Quantity) -> pint.Quantity:
    """The power of ``total`` not in ``part``: facility minus IT power is the overhead (cooling, power
    distribution); peak IT minus host power is the accelerators' peak [W]."""
    return total - part
