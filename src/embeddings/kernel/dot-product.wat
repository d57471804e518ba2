;; Dot products of one query against many rows, four lanes at a time (WebAssembly SIMD).
;; Rows are `stride` floats apart, `stride` a multiple of 4; the query occupies `stride` floats.
;; Compiled to dot-product-wasm.ts by `npm run build:kernel`; a test keeps the two in step.
(module
  (memory (export "memory") 1 65536)
  (func (export "dotMany")
    (param $query i32) (param $rows i32) (param $count i32) (param $stride i32) (param $out i32)
    (local $row i32) (local $end i32) (local $offset i32) (local $bytes i32)
    (local $a v128) (local $b v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $row (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.mul (local.get $count) (local.get $bytes))))
    (block $rows_done
      (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $row) (local.get $end)))
        (local.set $a (v128.const f32x4 0 0 0 0))
        (local.set $b (v128.const f32x4 0 0 0 0))
        (local.set $offset (i32.const 0))
        ;; two accumulators over 8 floats a turn
        (block $pairs_done
          (loop $each_pair
            (br_if $pairs_done (i32.gt_u (i32.add (local.get $offset) (i32.const 32)) (local.get $bytes)))
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $query) (local.get $offset)))
                  (v128.load (i32.add (local.get $row) (local.get $offset))))))
            (local.set $b
              (f32x4.add (local.get $b)
                (f32x4.mul
                  (v128.load offset=16 (i32.add (local.get $query) (local.get $offset)))
                  (v128.load offset=16 (i32.add (local.get $row) (local.get $offset))))))
            (local.set $offset (i32.add (local.get $offset) (i32.const 32)))
            (br $each_pair)))
        ;; a last group of 4 when stride is not a multiple of 8
        (if (i32.lt_u (local.get $offset) (local.get $bytes))
          (then
            (local.set $a
              (f32x4.add (local.get $a)
                (f32x4.mul
                  (v128.load (i32.add (local.get $query) (local.get $offset)))
                  (v128.load (i32.add (local.get $row) (local.get $offset))))))))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (br $each_row)))))
