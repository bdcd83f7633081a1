"""The column-wise inputs of the engine (a leaf: numpy, pandas and pint types only).

* :class:`InputTable`: what the user said, one row per cluster and one per accelerator group, a
  column per scenario field (:mod:`pipeline.fields`), values in canonical units.  A YAML file is a
  table of one cluster; a batch dataset is a table of many.
* :class:`ScenarioArrays` / :class:`GroupArrays`: what the stages take after resolution against
  the reference data, pint Quantity arrays.
* :class:`Component`: one uncertain input, column-wise: the arrays it moves and its distribution
  per row.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

import numpy as np
import pandas as pd
import pint

__all__ = ["Component", "GroupArrays", "InputTable", "ScenarioArrays"]

#: Columns of :attr:`InputTable.ranges`.
RANGE_COLUMNS = ["level", "index", "path", "triangular", "low", "mode", "high"]


@dataclass(frozen=True)
class InputTable:
    """User inputs of N clusters, column-wise.

    Attributes
    ----------
    clusters : DataFrame
        One row per cluster: a column per cluster-level field path (floats in the field's canonical
        unit, NaN when absent; text and ids as objects, None when absent; ``supply.mix`` as a tuple
        of (technology, share) pairs), plus ``file``, ``claims`` (tuple), ``sources`` (dict of field
        path -> citation) and ``document`` (the input as given, for report attachments).
    groups : DataFrame
        One row per accelerator group: ``cluster`` (position of its cluster), ``position`` (index
        within the cluster, the ``i`` of ``fleet[i]``), a column per group-level field.
    ranges : DataFrame
        Ranged inputs: ``level`` (cluster or group), ``index`` (row of clusters or groups), ``path``,
        ``triangular``, ``low``, ``mode``, ``high`` in the field's canonical unit.  The central value
        is in the main table.
    """

    clusters: pd.DataFrame
    groups: pd.DataFrame
    ranges: pd.DataFrame

    def __len__(self) -> int:
        return len(self.clusters)

    def take(self, positions: list[int] | np.ndarray) -> InputTable:
        """The clusters at ``positions`` (in that order) as a table of their own."""
        pos = np.asarray(positions, dtype=np.intp)
        new_of_old = np.full(len(self.clusters), -1, dtype=np.intp)
        new_of_old[pos] = np.arange(len(pos))
        clusters = self.clusters.iloc[pos].reset_index(drop=True)
        g = self.groups
        keep = new_of_old[g["cluster"].to_numpy()] >= 0
        gnew = g[keep].assign(cluster=new_of_old[g["cluster"].to_numpy()[keep]])
        order = np.argsort(gnew["cluster"].to_numpy(), kind="stable")
        old_group = np.flatnonzero(keep)[order]
        gnew = gnew.iloc[order].reset_index(drop=True)
        r = self.ranges
        group_map = np.full(len(g), -1, dtype=np.intp)
        group_map[old_group] = np.arange(len(old_group))
        is_group = (r["level"] == "group").to_numpy()
        idx = r["index"].to_numpy(dtype=np.intp)
        mapped = np.where(is_group, group_map[np.where(is_group, idx, 0)], new_of_old[np.where(is_group, 0, idx)])
        ranges = r[mapped >= 0].assign(index=mapped[mapped >= 0]).reset_index(drop=True)
        return InputTable(clusters, gnew, ranges)


def _quantity_fields(cls: type) -> list[str]:
    return [f.name for f in fields(cls) if f.name != "scenario"]


@dataclass(frozen=True)
class GroupArrays:
    """Per-group inputs of the stages, one element per accelerator group."""

    scenario: np.ndarray  # int: index of the scenario each group belongs to
    count: pint.Quantity  # [] NaN where given in accelerator-hours
    accelerator_hours: pint.Quantity  # [h] NaN where given by count
    full_power: pint.Quantity  # [W]
    idle_power: pint.Quantity  # [W]
    host_power: pint.Quantity  # [W] host server power per accelerator while running (measured where available)
    host_power_nameplate: pint.Quantity  # [W] nameplate share per accelerator, for the peak; NaN: use host_power
    embodied: pint.Quantity  # [kg CO2e] per accelerator, without the host-server share; NaN: no data

    def __len__(self) -> int:
        return len(self.scenario)


#: On-site pollutants (combustion.csv, per unit of heat input; NOx and CO depend on the NOx control):
#: NOx, CO, VOC, PM2.5, SO2 and formaldehyde (the main hazardous air pollutant of gas turbines).
POLLUTANTS = ("nox", "co", "voc", "pm25", "so2", "hcho")


@dataclass(frozen=True)
class ScenarioArrays:
    """Per-scenario inputs of the stages, one element per scenario."""

    utilization: pint.Quantity  # []
    period: pint.Quantity  # [h], NaN where absent
    pue: pint.Quantity  # []
    wue: pint.Quantity  # [L/kWh]
    cooling_cycles: pint.Quantity  # [] cycles of concentration of the cooling towers
    grid_intensity: pint.Quantity  # [g CO2e/kWh]
    grid_water_intensity: pint.Quantity  # [L/kWh]
    onsite_share: pint.Quantity  # []
    onsite_heat_rate: pint.Quantity  # [Btu/kWh]
    onsite_co2_per_heat: pint.Quantity  # [kg CO2e/MMBtu]
    onsite_ch4_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_n2o_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_nox_per_heat: pint.Quantity  # [g/MMBtu] by NOx control level (AP-42 3.1), like CO
    onsite_co_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_voc_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_pm25_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_so2_per_heat: pint.Quantity  # [g/MMBtu]
    onsite_hcho_per_heat: pint.Quantity  # [g/MMBtu] formaldehyde
    onsite_upstream_ch4_per_heat: pint.Quantity  # [kg/MMBtu] methane leaked upstream per unit of heat burnt
    onsite_water_intensity: pint.Quantity  # [L/kWh]
    gwp_ch4: pint.Quantity  # [kg CO2e/kg]
    gwp_n2o: pint.Quantity  # [kg CO2e/kg]
    grid_nox_rate: pint.Quantity  # [g/kWh] grid output emission rate; NaN: no published rate
    grid_so2_rate: pint.Quantity  # [g/kWh]
    # health damage per tonne emitted [USD/t, in the dollar year of cpi.csv] and premature deaths per tonne [1/t],
    # for the on-site plant's plume and for the grid's plants; NaN: no factor
    damage_nox_onsite: pint.Quantity
    damage_so2_onsite: pint.Quantity
    damage_pm25_onsite: pint.Quantity
    deaths_nox_onsite: pint.Quantity
    deaths_so2_onsite: pint.Quantity
    deaths_pm25_onsite: pint.Quantity
    damage_nox_grid: pint.Quantity
    damage_so2_grid: pint.Quantity
    damage_pm25_grid: pint.Quantity
    deaths_nox_grid: pint.Quantity
    deaths_so2_grid: pint.Quantity
    deaths_pm25_grid: pint.Quantity
    ppa_share: pint.Quantity  # []
    ppa_intensity: pint.Quantity  # [g CO2e/kWh]
    residual_intensity: pint.Quantity  # [g CO2e/kWh] market-based factor of grid energy no instrument covers
    lifetime: pint.Quantity  # [h]
    server_embodied: pint.Quantity  # [kg CO2e] per host server
    accelerators_per_server: pint.Quantity  # []

    def __len__(self) -> int:
        return len(self.pue.magnitude)


def take_arrays(sa: ScenarioArrays, ga: GroupArrays, rows: np.ndarray) -> tuple[ScenarioArrays, GroupArrays]:
    """Scenarios ``rows`` (repeats allowed, in that order) with their groups, as new arrays.

    >>> # used by the Monte Carlo to repeat each scenario once per draw
    """
    rows = np.asarray(rows, dtype=np.intp)
    new_sa = ScenarioArrays(**{k: getattr(sa, k)[rows] for k in _quantity_fields(ScenarioArrays)})
    # groups of each selected scenario, in order: group g of scenario s -> new scenario j
    order = np.argsort(ga.scenario, kind="stable")
    starts = np.searchsorted(ga.scenario[order], np.arange(len(sa) + 1))
    counts = np.diff(starts)[rows]
    first = starts[:-1][rows]
    new_scen = np.repeat(np.arange(len(rows)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    gidx = order[np.repeat(first, counts) + offsets]
    new_ga = GroupArrays(scenario=new_scen.astype(np.intp),
                         **{k: getattr(ga, k)[gidx] for k in _quantity_fields(GroupArrays)})
    return new_sa, new_ga


@dataclass(frozen=True)
class Component:
    """One uncertain input, column-wise.

    For each element ``k``, the array ``target`` (a field of ScenarioArrays, or of GroupArrays when
    ``group``) at position ``index[k]`` is set to a draw (``how="set"``) or moved by
    ``weight[k] * (draw - mode[k])`` (``how="add"``, for factors that enter a weighted sum, such as a
    technology in a generation mix).  ``kind`` is a code of :data:`pipeline.distributions.KINDS`.  ``low``/``mode``/``high`` are in ``unit``, the target's unit;
    ``name`` names the draw stream (inputs with the same name share their draws) and ``source``
    says where the range comes from.
    """

    target: str
    group: bool
    how: Literal["set", "add"]
    unit: str
    index: np.ndarray
    name: np.ndarray
    kind: np.ndarray
    low: np.ndarray
    mode: np.ndarray
    high: np.ndarray
    weight: np.ndarray
    source: np.ndarray

    def __len__(self) -> int:
        return len(self.index)


class ProblemTable:
    """Problems found column-wise, per cluster or per group, formatted for a YAML file or a dataset.

    ``add(mask, path, message)`` records ``message`` (text, or a callable giving the texts of the
    masked positions only, so 10^6 clean rows cost nothing) for the clusters (or groups, with
    ``group=True``) in ``mask``.
    """

    def __init__(self, n_clusters: int, n_groups: int) -> None:
        self.n = {False: n_clusters, True: n_groups}
        self.parts: list[tuple[bool, np.ndarray, str, np.ndarray, str]] = []
        self._by_path: dict[tuple[bool, str], np.ndarray] = {}

    def add(self, mask: np.ndarray, path: str, message: object, group: bool = False, allowed: str = "") -> None:
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        pos = np.flatnonzero(mask)
        if isinstance(message, str):
            msgs = np.full(len(pos), message, dtype=object)
        elif callable(message):
            msgs = np.asarray(message(pos), dtype=object)
        else:
            msgs = np.asarray(message, dtype=object)[pos]
        self.parts.append((group, pos, path, msgs, allowed))
        key = (group, path)
        seen = self._by_path.get(key)
        self._by_path[key] = mask.copy() if seen is None else (seen | mask)

    def has(self, path: str, group: bool = False) -> np.ndarray:
        """Where ``path`` already has a problem (so later rules do not repeat the same root cause)."""
        seen = self._by_path.get((group, path))
        return seen.copy() if seen is not None else np.zeros(self.n[group], dtype=bool)

    def bad_clusters(self, group_cluster: np.ndarray) -> np.ndarray:
        """Clusters with any problem, their own or one of their groups'."""
        bad = np.zeros(self.n[False], dtype=bool)
        for group, pos, *_ in self.parts:
            bad[group_cluster[pos] if group else pos] = True
        return bad

    def frame(self) -> pd.DataFrame:
        """Columns ``group`` (bool), ``index``, ``path``, ``message``, ``allowed``, in the order found."""
        if not self.parts:
            return pd.DataFrame({"group": pd.Series(dtype=bool), "index": pd.Series(dtype=np.intp),
                                 "path": pd.Series(dtype=object), "message": pd.Series(dtype=object),
                                 "allowed": pd.Series(dtype=object)})
        return pd.concat([pd.DataFrame({"group": g, "index": pos, "path": path, "message": msgs, "allowed": allowed})
                          for g, pos, path, msgs, allowed in self.parts], ignore_index=True)

    def __bool__(self) -> bool:
        return bool(self.parts)
