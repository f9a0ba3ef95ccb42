# SPDX-License-Identifier: GPL-2.0
# gnuplot -e "data='algo_plot.dat'; out='algorithms.png'" algorithms.gp
set terminal pngcairo size 900,480 font "sans,10"
set output out
set title "One bursty source under each algorithm: 10/s, burst 20 (offered: 40 at 400/s every 3 s, 5/s between)"
set xlabel "time (s)"
set ylabel "packets passed, cumulative"
set key top left
set grid
plot data using 1:2 with steps lw 1 dt 2 lc rgb "#888888" title "offered", \
     data using 1:3 with steps lw 2 lc rgb "#1f77b4" title "token-bucket", \
     data using 1:4 with steps lw 2 dt 3 lc rgb "#ff7f0e" title "gcra (identical)", \
     data using 1:5 with steps lw 2 lc rgb "#2ca02c" title "sliding-window", \
     x < 0 ? 0 : 20 + 10 * x with lines lw 1 dt 4 lc rgb "#d62728" title "burst + rate x t"
