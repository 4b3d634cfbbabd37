# mmext: `make demo` and `make test` set up what is missing (.venv in the repo) and run.
VENV      ?= .venv
PY        := $(VENV)/bin/python
STAMP     := $(VENV)/.mmext-installed
DEMO_CFG  ?= configs/thermal/yolox_cpu_synthflir_8e.py
DEMO_DIR  ?= work_dirs/demo_thermal
PSEUDO_CFG ?= configs/thermal/yolox_cpu_synthflir-pseudo-teacher-otsu_8e.py
PSEUDO_DIR ?= work_dirs/demo_pseudo_otsu
DATA_FLIR ?= data/synthetic_flir
PYTEST_ARGS ?=
# Seeds of the demo's trainings (one work dir per seed: <dir>/seed<s>); the tables print
# mean ± std over them, e.g. `make demo SEEDS="0 1 2"` (about 3x the time of one seed).
SEEDS     ?= 0
# Same numbers on every run and, as far as the CPU allows, on every x86-64 machine: a fixed
# thread count and instruction-set caps for torch (ATen), oneDNN, MKL and OpenCV (README,
# "Reproducing"; each of thread count, ATen and OpenCV kernels changed the trained weights).
# On a CPU without AVX-512 OpenCV prints one harmless line about AVX512F.
DEMO_THREADS ?= 2
DEMO_ENV  := OMP_NUM_THREADS=$(DEMO_THREADS) MKL_NUM_THREADS=$(DEMO_THREADS) \
	ATEN_CPU_CAPABILITY=avx2 ONEDNN_MAX_CPU_ISA=AVX2 MKL_CBWR=AVX2 OPENCV_CPU_DISABLE=AVX512F \
	PYTHONHASHSEED=0
COLLECT   := $(PY) tools/analysis_tools/collect_results.py
seed_dirs = $(foreach s,$(SEEDS),$(1)=$(2)/seed$(s))

.PHONY: setup demo demo-gt test test-all clean-demo

$(STAMP): tools/setup_env.sh requirements/runtime.txt requirements/tests.txt setup.py
	bash tools/setup_env.sh $(VENV)

setup: $(STAMP)

# Embedded default (seed 003's chain on the synthetic paired FLIR-layout set): RGB teacher
# trained on the RGB GT -> thermal pseudo-labels (homography + thermal Otsu refinement) ->
# thermal student, printed next to the GT-supervised thermal student; both are evaluated on
# the thermal val GT. Every training runs once per seed in SEEDS (student of seed s <- teacher
# of seed s). Finished steps are re-used (--resume, pseudo-label cache).
demo: demo-gt
	$(DEMO_ENV) $(PY) tools/train_seeds.py configs/thermal/yolox_cpu_synthflir-rgb-teacher_8e.py \
		--seeds $(SEEDS) --work-dir work_dirs/demo_rgb_teacher --resume
	$(DEMO_ENV) $(PY) tools/train_seeds.py $(PSEUDO_CFG) --seeds $(SEEDS) --work-dir $(PSEUDO_DIR) \
		--resume --test --table-out per_class_map.csv \
		--cfg-options 'pseudo_labels.teacher.checkpoint=work_dirs/demo_rgb_teacher/seed{seed}/epoch_8.pth'
	@echo "== RGB teacher, RGB val COCO bbox AP (last validation)"
	@$(COLLECT) $(call seed_dirs,teacher,work_dirs/demo_rgb_teacher) \
		--metrics coco/bbox_mAP coco/bbox_mAP_50
	@echo "== pseudo-label quality vs the thermal GT (raw = mapped only, then refined)"
	@$(COLLECT) $(call seed_dirs,pseudo-labels,$(PSEUDO_DIR)) --table 'pseudo_labels/*/stats.json' \
		--columns count mean_score precision_raw precision recall_raw recall mean_iou_raw mean_iou \
		--digits 3
	@echo "== thermal val set, COCO bbox AP: GT-supervised student vs pseudo-label student"
	@$(COLLECT) $(call seed_dirs,GT,$(DEMO_DIR)) $(call seed_dirs,pseudo,$(PSEUDO_DIR)) \
		--table per_class_map.csv --columns mAP mAP_50 mAP_75 --md-out work_dirs/demo_table.md \
		--csv-out work_dirs/demo_table.csv

# The GT-supervised thermal student alone: synthetic set -> CPU YOLOX -> per-class COCO table.
demo-gt: $(STAMP)
	$(DEMO_ENV) $(PY) tools/dataset_converters/make_synthetic_flir.py $(DATA_FLIR)
	$(DEMO_ENV) $(PY) tools/train_seeds.py $(DEMO_CFG) --seeds $(SEEDS) --work-dir $(DEMO_DIR) \
		--resume --test --table-out per_class_map.csv
	@echo "== GT-supervised thermal student, per-class COCO bbox AP on the synthetic thermal val set"
	@$(COLLECT) $(call seed_dirs,GT,$(DEMO_DIR)) --table per_class_map.csv \
		--columns mAP mAP_50 mAP_75 mAP_s mAP_m mAP_l

# Default suite (slow tests excluded); `make test-all` runs everything.
test: $(STAMP)
	$(PY) -m pytest -m "not slow" -q $(PYTEST_ARGS) tests

test-all: $(STAMP)
	$(PY) -m pytest -q $(PYTEST_ARGS) tests

clean-demo:
	rm -rf $(DEMO_DIR) $(PSEUDO_DIR) work_dirs/demo_rgb_teacher work_dirs/demo_table.*

