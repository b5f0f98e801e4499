"""Simulation parameters (SI units)."""
DT = 1e-3  # time step in s, 1e-5 to 1e-2
TOLERANCE = 1e-8  # solver tolerance, log scale between 1e-12 and 1e-4
MAX_ITER = 200  # iterations, 10 - 10000
RELAXATION = 1.2  # SOR factor, in (1, 2)
GRID = 128  # cells per side
METHOD = "rk4"  # integrator: euler | rk2 | rk4
