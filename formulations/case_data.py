"""Formulation data from a designopt case file (the glue the CLI commands use).

Turns a :class:`designopt.case.Case` plus a product catalogue, a weather year or a table of
evaluated designs into the plain data objects of :mod:`formulations.data`:

* :func:`selection_data_from_case` - EN 14825 bins of the case's climate and load, hplib
  products of the case's source type with prices from :mod:`designopt.economics`, receiver
  margins from :mod:`designopt.noise`, the case's GWP cap;
* :func:`dispatch_data_from_case` - one hplib product and a gas boiler over the hours of the
  case's weather (EPW) or the synthetic EN 14825 year;
* :func:`design_space_from_table` - capital and lifetime cost columns of evaluated designs.

Assumptions (also in ``docs/formulations.md``): product prices are designopt's component cost
model with the data hplib has (compressor power, rated output; no heat-exchanger geometry, so
exchangers and fans are not priced); the hourly heat demand is the EN 14825 load line applied to
each hour's temperature; the flow temperature follows the EN 14825 variable-outlet curve of the
case's emitter (35 °C underfloor, 55 °C radiators).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from designopt.errors import ConfigurationError, DataFormatError
from formulations.data import (
    SECONDS_PER_YEAR,
    Backup,
    BackupKind,
    BoreholeSurrogate,
    Candidates,
    DesignSpace,
    DispatchData,
    Periods,
    SelectionData,
    candidates_from_hplib,
    candidates_from_keymark,
    candidates_from_seasonal,
    pd_to_float,
    per_kWh,
)

__all__ = [
    "load_case_for_formulations",
    "HPLIB_TYPE",
    "application_degC",
    "linear_cost",
    "product_prices",
    "receiver_margins",
    "selection_data_from_case",
    "dispatch_data_from_case",
    "design_space_from_table",
    "borehole_surrogate_from_borefield",
    "selection_data_from_study",
]


def load_case_for_formulations(path):
    """Read a case file with the schema checks of :class:`designopt.case.Case` but without the
    design-study checks of :func:`designopt.evaluate.check_case` (design-space names, source
    types the study supports): the formulations use only site, building, source, economics,
    policy and noise, and they handle ground and water sources."""
    import tomllib

    from pydantic import ValidationError

    from designopt.case import Case

    path = Path(path)
    if not path.is_file():
        raise ConfigurationError(f"case file {str(path)!r} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return Case.model_validate({**data, "base_dir": str(path.resolve().parent)})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"case file {path} is not valid TOML: {exc}") from None
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigurationError(f"invalid case file {path}: {errs}") from None


#: case source type -> hplib heat-pump type
HPLIB_TYPE = {"air": "air/water", "ground": "brine/water", "water": "water/water"}


def application_degC(case) -> int:
    """EN 14825 application of the case's emitter: 35 (underfloor) or 55 (radiators) [°C]."""
    return 35 if str(case.building.emitter) == "underfloor" else 55


def linear_cost(arg: str, item: str) -> tuple[float, float]:
    """(fixed [EUR], per unit size [EUR/unit]) of one linear item of the economics cost table,
    e.g. ``linear_cost("backup_heater_W", "backup_heater")`` (from the costs at 1 and 2 kW, or
    100 and 200 m, in the table's target year)."""
    from designopt.economics.capital import capital_cost

    base = 1000.0 if arg.endswith("_W") else 100.0
    kw = {} if arg != "borehole_length_m" else {"n_boreholes": 1}
    c1 = capital_cost(**{arg: base}, include_installation=False, **kw).items[item]
    c2 = capital_cost(**{arg: 2 * base}, include_installation=False, **kw).items[item]
    per = float(c2 - c1) / base
    return float(c1) - per * base, per


def product_prices(catalogue) -> np.ndarray:
    """Installed price proxy of each catalogue product [EUR]: designopt's component cost model
    (compressor by electric power at -7/52 °C, casing and controls, installation by rated output)."""
    from designopt.economics.capital import capital_cost

    return np.asarray(
        capital_cost(
            heat_output_W=catalogue["p_th_ref_W"].to_numpy(float),
            compressor_power_W=catalogue["p_el_ref_W"].to_numpy(float),
        ).total,
        float,
    )


def receiver_margins(case, sound_power_dBA) -> np.ndarray:
    """Worst margin (level - limit) over the case's receivers for each sound power [dB];
    NaN where the sound power is NaN."""
    from designopt import noise

    lw = np.asarray(sound_power_dBA, float)
    out = np.full(lw.shape, np.nan)
    ok = np.isfinite(lw)
    if not case.noise.receivers or not ok.any():
        return out
    from designopt.evaluate import case_receivers

    receivers = case_receivers(case)
    out[ok] = noise.receiver_levels(lw[ok], receivers).constraint
    return out


def _season_periods(case):
    from designopt.seasonal.climates import reference_season

    season = reference_season(str(case.site.climate))
    t_design = (
        case.building.design_temperature_degC
        if case.building.design_temperature_degC is not None
        else season.t_design_degC
    )
    per = Periods.from_bins(
        t_bins_degC=season.t_bin_degC,
        hours=season.hours_h,
        design_load_W=case.building.design_heat_load_kW * 1e3,
        t_design_degC=t_design,
        label=f"EN 14825 {case.site.climate} bins",
    )
    return season, per


def selection_data_from_case(
    case,
    catalogue,
    *,
    borehole: BoreholeSurrogate | None = None,
    backup_kind: BackupKind = BackupKind.ELECTRIC,
    boiler_efficiency: float = 0.9,
) -> SelectionData:
    """Selection data for ``case`` from an hplib-format catalogue (DataFrame from
    :func:`designopt.io.hplib_catalogue.load_hplib_catalogue`) or the path of a Keymark-layout
    CSV of declared EN 14825 records (:func:`formulations.data.candidates_from_keymark`; the
    records of the case's climate and emitter application; no refrigerant data, so a GWP cap
    excludes them).

    Products of the case's source type only; back-up electric (or a gas boiler) sized up to
    the design load; noise as the worst receiver margin <= 0 dB; GWP cap from the case policy.
    Ground cases need ``borehole``: a :class:`BoreholeSurrogate`, or a callable
    ``f(x_max_W) -> BoreholeSurrogate`` given the largest annual-mean extraction any candidate
    can cause (e.g. a partial of :func:`borehole_surrogate_from_borefield`).
    """
    src = str(case.source.type)
    season, per = _season_periods(case)
    if isinstance(catalogue, str | Path):  # Keymark-layout CSV of declared EN 14825 records
        from designopt.economics.capital import capital_cost

        def prices(df):
            prated = df["Prated_kW"].to_numpy(float) * 1e3
            cop_a = pd_to_float(df, "COPd_m7")
            cop = np.where(np.isfinite(cop_a), cop_a, pd_to_float(df, "COPd_p2"))
            return np.asarray(
                capital_cost(heat_output_W=prated, compressor_power_W=prated / cop).total, float
            )

        cand, table = candidates_from_keymark(
            catalogue,
            per,
            climate=str(case.site.climate),
            application_degC=application_degC(case),
            hp_type=HPLIB_TYPE[src],
            capital_cost_EUR=prices,
        )
        lw = pd_to_float(table, "Lw_outdoor_dBA")
    else:
        cat = catalogue[catalogue["hp_type"] == HPLIB_TYPE[src]].reset_index(drop=True)
        if cat.empty:
            raise ConfigurationError(
                f"the catalogue has no {HPLIB_TYPE[src]} products for source type {src!r}"
            )
        t_flow = season.flow_temperature_K(per.t_outdoor_K, application_degC(case))
        cand = candidates_from_hplib(
            cat, per, t_flow_K=t_flow, capital_cost_EUR=product_prices(cat)
        )
        lw = cat["sound_power_outdoor_dBA"].to_numpy(float)
    margins = receiver_margins(case, lw)
    if case.noise.receivers and src == "air":
        margins = np.where(np.isnan(margins), 1e3, margins)  # undeclared sound power: excluded
    return _finish_selection(case, per, cand, margins, borehole, backup_kind, boiler_efficiency)


def _finish_selection(case, per, cand, margins, borehole, backup_kind, boiler_efficiency):
    """Ground surrogate, back-up, prices and limits shared by the candidate sources."""
    from designopt.economics.lifetime import capital_recovery_factor

    src = str(case.source.type)
    ground = src == "ground"
    cap_extra = 0.0
    if ground:
        if borehole is None:
            raise ConfigurationError(
                "a ground-source case needs a borehole surrogate: pass --borehole FILE.csv "
                "(columns extraction_W,length_m from sizing runs)"
            )
        from designopt.economics.capital import capital_cost

        if callable(borehole):
            frac = per.duration_s[None, :] / SECONDS_PER_YEAR
            q = np.minimum(cand.heat_capacity_W, per.load_W[None, :])
            x_max = float(np.max(np.sum(frac * q * (1.0 - 1.0 / cand.cop), axis=1)))
            borehole = borehole(x_max)
        cap_extra = float(
            capital_cost(n_boreholes=1, include_installation=False).items["borehole_header"]
        )
    cand = Candidates(
        name=cand.name,
        capital_cost_EUR=cand.capital_cost_EUR + cap_extra,
        heat_capacity_W=cand.heat_capacity_W,
        cop=cand.cop,
        receiver_level_dB=margins,
        gwp=cand.gwp,
        ground_source=np.full(cand.n, ground),
    )
    eco = case.economics
    el = per_kWh(eco.electricity_price_per_kWh)
    if backup_kind is BackupKind.GAS_BOILER:
        fixed, per_w = linear_cost("boiler_W", "gas_boiler")
        bu = Backup(
            kind=backup_kind,
            efficiency=boiler_efficiency,
            cost_per_W_EUR=per_w,
            fixed_cost_EUR=fixed,
            energy_price_EUR_per_J=per_kWh(eco.gas_price_per_kWh),
            emission_kg_per_J=per_kWh(eco.gas_co2_kg_per_kWh),
            max_capacity_W=per.load_W.max(),
        )
    else:
        fixed, per_w = linear_cost("backup_heater_W", "backup_heater")
        bu = Backup(
            kind=BackupKind.ELECTRIC,
            efficiency=1.0,
            cost_per_W_EUR=per_w,
            fixed_cost_EUR=fixed,
            energy_price_EUR_per_J=el,
            emission_kg_per_J=per_kWh(eco.grid_co2_kg_per_kWh),
            max_capacity_W=per.load_W.max(),
        )
    return SelectionData(
        periods=per,
        candidates=cand,
        backup=bu,
        electricity_price_EUR_per_J=el,
        electricity_emission_kg_per_J=per_kWh(eco.grid_co2_kg_per_kWh),
        carbon_price_EUR_per_kg=eco.carbon_price_per_t / 1000.0,
        annuity_factor_per_year=float(
            capital_recovery_factor(eco.discount_rate, eco.lifetime_years)
        ),
        noise_limit_dB=0.0 if case.noise.receivers else None,
        noise_basis="margin",
        gwp_limit=case.policy.gwp_cap,
        borehole=borehole if ground else None,
    )


def dispatch_data_from_case(
    case,
    catalogue,
    product: str,
    *,
    boiler_capacity_W: float | None = None,
    boiler_efficiency: float = 0.9,
    tou_bands=None,
    storage=None,
) -> DispatchData:
    """Hourly dispatch data for ``case`` with the hplib ``product`` and a gas boiler.

    Parameters
    ----------
    product : str
        Catalogue ``name`` (manufacturer + model) of the heat pump.
    boiler_capacity_W : float, optional
        Default: the design heat load.
    tou_bands : list of (start_h, end_h, price_per_kWh), optional
        Time-of-use electricity bands covering every hour of the day once
        (:func:`designopt.economics.lifetime.time_of_use_price`); default: the case's flat price.
    """
    from designopt.io.hplib_catalogue import hplib_heating_performance

    rows = catalogue[catalogue["name"] == product]
    if rows.empty:
        import shlex

        close = [n for n in catalogue["name"] if product.lower() in n.lower()][:5]
        words = product.split()[:1]  # usually the manufacturer
        hint = "designopt products" + (f" --search {shlex.quote(words[0])}" if words else "")
        raise ConfigurationError(
            f"product={product!r} is not in the catalogue; close matches: {close}; list the "
            f"names with: {hint}"
        )
    season, _ = _season_periods(case)
    t = _hourly_temperature(case)
    t_design = case.building.design_temperature_degC
    t_design = season.t_design_degC if t_design is None else t_design
    load = case.building.design_heat_load_kW * 1e3
    demand = load * np.clip((t - 273.15 - 16.0) / (t_design - 16.0), 0.0, None)
    t_flow = season.flow_temperature_K(t, application_degC(case))
    air = rows["hp_type"].iloc[0] == "air/water"
    perf = hplib_heating_performance(
        rows, t_source_K=t if air else np.full(t.size, 273.15), t_flow_K=t_flow, t_outdoor_K=t
    )
    valid = perf["valid"][0]
    eco = case.economics
    price = np.full(t.size, eco.electricity_price_per_kWh)
    if tou_bands:
        from designopt.economics.lifetime import time_of_use_price

        price = np.asarray(time_of_use_price(np.arange(t.size) % 24, list(tou_bands)), float)
    return DispatchData(
        t_outdoor_K=t,
        heat_demand_W=demand,
        hp_cop=np.where(valid, perf["cop"][0], 1.0),
        hp_capacity_W=np.where(valid, perf["heat_output"][0], 0.0),
        boiler_capacity_W=load if boiler_capacity_W is None else boiler_capacity_W,
        boiler_efficiency=boiler_efficiency,
        electricity_price_EUR_per_J=per_kWh(price),
        gas_price_EUR_per_J=per_kWh(eco.gas_price_per_kWh),
        carbon_price_EUR_per_kg=eco.carbon_price_per_t / 1000.0,
        electricity_emission_kg_per_J=per_kWh(eco.grid_co2_kg_per_kWh),
        gas_emission_kg_per_J=per_kWh(eco.gas_co2_kg_per_kWh),
        storage=storage,
    )


def _hourly_temperature(case) -> np.ndarray:
    """Hourly outdoor temperature [K]: the case's EPW file, else the synthetic EN 14825 year."""
    if case.site.weather_file:
        from designopt.io.epw import read_epw

        return np.asarray(
            read_epw(Path(case.base_dir) / case.site.weather_file)["t_air"].values, float
        )
    from designopt.seasonal.weather import en14825_weather

    return np.asarray(en14825_weather(str(case.site.climate))["t_air"].values, float)


def design_space_from_table(
    table, *, capital: str = "capital_cost", lifetime: str = "net_present_cost"
) -> DesignSpace:
    """A :class:`DesignSpace` from evaluated designs (an xarray Dataset on dim ``trial`` such as
    a study's ``results.nc``, or a pandas DataFrame): columns ``capital`` and ``lifetime`` and,
    if present, the boolean ``feasible``; variables with role ``design_variable`` are carried."""
    cols = list(table.data_vars) if hasattr(table, "data_vars") else list(table.columns)
    for c in (capital, lifetime):
        if c not in cols:
            raise DataFormatError(f"the design table has no column {c!r}; columns: {cols}")
    get = lambda c: np.asarray(table[c].values if hasattr(table[c], "values") else table[c])  # noqa: E731
    feas = get("feasible").astype(bool) if "feasible" in cols else None
    variables = {}
    if hasattr(table, "data_vars"):
        for c in cols:
            if table[c].attrs.get("role") == "design_variable" and table[c].dtype.kind in "fiu":
                variables[c] = get(c)
    return DesignSpace(
        capital_cost_EUR=get(capital).astype(float),
        lifetime_cost_EUR=get(lifetime).astype(float),
        feasible=feas,
        variables=variables,
    )


def borehole_surrogate_from_borefield(
    bcase, x_max_W: float, *, n_breakpoints: int = 6, cost_per_m_EUR: float | None = None
) -> BoreholeSurrogate:
    """Piecewise-linear surrogate (annual-mean extraction -> total length) from sizing runs.

    The monthly extraction profile of the borefield case (its shape, peaks scaled alike) is
    scaled to ``n_breakpoints - 1`` annual means evenly spaced up to ``x_max_W`` and each is
    sized with :func:`designopt.ground.sizing.size_length` (the case's layout, ground, borehole,
    limits and method).  Levels the layout cannot serve within its ``H_max`` end the surrogate
    there, so the MILP cannot extract more than the last feasible level.

    Parameters
    ----------
    bcase : designopt.io.borefield_toml.BorefieldCase
        With monthly loads (methods ``monthly`` or ``three_pulse``).
    x_max_W : float
        Largest annual-mean extraction to cover [W].
    n_breakpoints : int
        Breakpoints including (0 W, 0 m).
    cost_per_m_EUR : float, optional
        Default: the economics cost table's borehole drilling cost per metre.
    """
    from designopt.errors import InfeasibleDesignError
    from designopt.ground.simulate import MonthlyLoads
    from designopt.ground.sizing import size_length

    loads = bcase.loads
    if not isinstance(loads, MonthlyLoads):
        raise ConfigurationError(
            "the borefield case needs monthly loads (sizing method monthly or three_pulse)"
        )
    if not x_max_W > 0 or n_breakpoints < 2:
        raise ConfigurationError(f"{x_max_W=} must be > 0 and {n_breakpoints=} >= 2")
    shape = np.asarray(loads.extraction, float)
    mean = float(shape.mean())
    if not mean > 0:
        raise ConfigurationError("the borefield case's extraction profile is all zero")
    peaks = None if loads.peak_extraction is None else np.asarray(loads.peak_extraction, float)
    xs, ls = [0.0], [0.0]
    for x in np.linspace(0.0, x_max_W, n_breakpoints)[1:]:
        f = x / mean
        scaled = MonthlyLoads(
            extraction=shape * f,
            injection=loads.injection,
            peak_extraction=None if peaks is None else peaks * f,
            peak_injection=loads.peak_injection,
            peak_duration=loads.peak_duration,
            years=loads.years,
        )
        try:
            r = size_length(
                borefield=bcase.borefield,
                ground=bcase.ground,
                loads=scaled,
                limits=bcase.limits,
                resistance=bcase.resistance,
                method=bcase.method,
                gfunction=bcase.gfunction,
                H_min=bcase.H_min,
                H_max=bcase.H_max,
            )
        except InfeasibleDesignError:
            break
        xs.append(float(x))
        ls.append(float(r.total_length))
    if len(xs) < 2:
        raise ConfigurationError(
            f"the borefield layout cannot serve even {x_max_W / (n_breakpoints - 1):.0f} W of annual-mean extraction"
        )
    if cost_per_m_EUR is None:
        cost_per_m_EUR = linear_cost("borehole_length_m", "borehole_drilling")[1]
    return BoreholeSurrogate(
        extraction_W=np.array(xs), length_m=np.array(ls), cost_per_m_EUR=cost_per_m_EUR
    )


def selection_data_from_study(
    case,
    results,
    *,
    backup_kind: BackupKind = BackupKind.ELECTRIC,
    boiler_efficiency: float = 0.9,
    max_designs: int = 200,
) -> SelectionData:
    """Selection data whose candidates are the Pareto designs of a study (``results.nc``).

    Each feasible Pareto trial is re-evaluated to its EN 14825 seasonal result (performance map
    on the study's grid, :func:`designopt.seasonal.en14825.seasonal_performance`); the per-bin
    heat and COP become its capacity and COP (:func:`formulations.data.candidates_from_seasonal`).
    Capital is the study's ``capital_cost`` minus its back-up heater item (the MILP sizes the
    back-up again); the receiver margin is the study's ``noise_margin_dB`` where recorded.
    """
    from designopt import evaluate as ev
    from designopt import refrigerants
    from designopt.cycle import performance_map
    from designopt.seasonal.en14825 import MapArrays, seasonal_performance

    for col in ("capital_cost",):
        if col not in results:
            raise DataFormatError(
                f"the study results lack {col!r}; variables: {sorted(results.data_vars)}"
            )
    mask = np.ones(results.sizes["trial"], bool)
    for flag in ("feasible", "pareto"):
        if flag in results:
            mask &= np.asarray(results[flag].values, bool)
    idx = np.flatnonzero(mask)[:max_designs]
    if idx.size == 0:
        raise DataFormatError("the study has no feasible Pareto trials to select from")
    dvars = [v for v in results.data_vars if results[v].attrs.get("role") == "design_variable"]
    grid = ev.map_grid
    load = case.building.design_heat_load_kW * 1e3
    app = application_degC(case)
    names, capital, seasons, gwp = [], [], [], []
    for k in idx:
        params = {}
        for v in dvars:
            val = results[v].values[k]
            if isinstance(val, str) or results[v].dtype.kind in "OUS":
                params[v] = str(val)
            elif np.isfinite(val):
                params[v] = float(val)
        values = ev.resolve(params, case)
        hp = ev.heat_pump_design(values, case)
        pmap = performance_map(hp, *grid(case, hp))
        seasons.append(
            seasonal_performance(
                MapArrays.from_dataset(pmap),
                climate=str(case.site.climate),
                application_degC=app,
                design_load_W=load,
            )
        )
        backup_item = (
            float(results["capex_backup_heater"].values[k])
            if "capex_backup_heater" in results
            else 0.0
        )
        capital.append(float(results["capital_cost"].values[k]) - backup_item)
        gwp.append(float(refrigerants.get(str(values["refrigerant"])).gwp100))
        names.append(f"trial {int(results['trial'].values[k])}")
    s0 = seasons[0]
    per = Periods(
        t_outdoor_K=s0.t_bin_K,
        duration_s=np.asarray(s0.hours_h, float) * 3600.0,
        load_W=s0.load_W,
        label=f"EN 14825 {case.site.climate} bins (study designs)",
    )
    margins = (
        np.asarray(results["noise_margin_dB"].values, float)[idx]
        if "noise_margin_dB" in results and case.noise.receivers
        else None
    )
    cand = candidates_from_seasonal(names, np.array(capital), seasons, gwp=np.array(gwp))
    return _finish_selection(case, per, cand, margins, None, backup_kind, boiler_efficiency)
