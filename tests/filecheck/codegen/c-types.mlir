// RUN: tfc-opt %s --split-input-file --from=linalg --emit=c | filecheck %s

// Half types: f16 is _Float16; bf16 is stored as uint16_t bits and converted
// with the emitted helpers (round to nearest even). Only used helpers appear.

// CHECK:       static inline float tfc_bf16_to_f32(uint16_t h) {
// CHECK:       static inline uint16_t tfc_f32_to_bf16(float f) {
// CHECK-NEXT:    uint32_t u;
// CHECK-NEXT:    memcpy(&u, &f, sizeof u);
// CHECK-NEXT:    if ((u & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((u >> 16) | 0x40u);
// CHECK-NEXT:    u += 0x7fffu + ((u >> 16) & 1u);
// CHECK-NEXT:    return (uint16_t)(u >> 16);
// CHECK-NOT:   tfc_floordiv
// CHECK-LABEL: static void k0_add_max(const _Float16 *restrict a, const uint16_t *restrict b, _Float16 *restrict out0, uint16_t *restrict out1) {
// CHECK:           const _Float16 x = a[i0];
// CHECK-NEXT:      const uint16_t y = b[i0];
// CHECK-NEXT:      const float xf = (float)(x);
// CHECK-NEXT:      const float yf = tfc_bf16_to_f32(y);
// CHECK-NEXT:      const float s = xf + yf;
// CHECK-NEXT:      const float m = ((s > 0.5f || s != s) ? s : 0.5f);
// CHECK-NEXT:      const _Float16 s16 = (_Float16)(s);
// CHECK-NEXT:      const uint16_t mbf = tfc_f32_to_bf16(m);
// CHECK-NEXT:      out0[i0] = s16;
// CHECK-NEXT:      out1[i0] = mbf;
func.func @main(%a: tensor<8xf16>, %b: tensor<8xbf16>) -> (tensor<8xf16>, tensor<8xbf16>) {
  %half = arith.constant 0.5 : f32
  %e0 = tensor.empty() : tensor<8xf16>
  %e1 = tensor.empty() : tensor<8xbf16>
  %r:2 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%a, %b : tensor<8xf16>, tensor<8xbf16>) outs(%e0, %e1 : tensor<8xf16>, tensor<8xbf16>) {
  ^bb0(%x: f16, %y: bf16, %o0: f16, %o1: bf16):
    %xf = arith.extf %x : f16 to f32
    %yf = arith.extf %y : bf16 to f32
    %s = arith.addf %xf, %yf : f32
    %m = arith.maximumf %s, %half : f32
    %s16 = arith.truncf %s : f32 to f16
    %mbf = arith.truncf %m : f32 to bf16
    linalg.yield %s16, %mbf : f16, bf16
  } -> tensor<8xf16>, tensor<8xbf16>
  func.return %r#0, %r#1 : tensor<8xf16>, tensor<8xbf16>
}

// -----

// Scalar constants are C literals (inf / NaN / half / the most negative
// integer included); i1 is bool, and sign-extending i1 gives -1.

// CHECK-LABEL: static void k0_cmp_and_or(
// CHECK-SAME:      const float *restrict x, const int64_t *restrict n, bool *restrict out0, float *restrict out1, int64_t *restrict out2, _Float16 *restrict out3) {
// CHECK:           const bool lt = x_1 < INFINITY;
// CHECK-NEXT:      const bool uno = (x_1 != x_1 || x_1 != x_1);
// CHECK-NEXT:      const bool ne = !(x_1 >= -INFINITY);
// CHECK-NEXT:      const bool any = lt & uno;
// CHECK-NEXT:      const bool any2 = any | ne;
// CHECK-NEXT:      const float sel = any2 ? NAN : x_1;
// CHECK-NEXT:      const int64_t ext = (int64_t)(any2 ? -1 : 0);
// CHECK-NEXT:      const int64_t fd = tfc_floordiv_i64(n_1, (-9223372036854775807LL - 1));
// CHECK-NEXT:      const int64_t sum = ext + fd;
// CHECK-NEXT:      out0[i0] = any2;
// CHECK-NEXT:      out1[i0] = sel;
// CHECK-NEXT:      out2[i0] = sum;
// CHECK-NEXT:      out3[i0] = (_Float16)1.0f;
func.func @main(%x: tensor<8xf32>, %n: tensor<8xi64>) -> (tensor<8xi1>, tensor<8xf32>, tensor<8xi64>, tensor<8xf16>) {
  %inf = arith.constant 0x7F800000 : f32
  %ninf = arith.constant 0xFF800000 : f32
  %nan = arith.constant 0x7FC00000 : f32
  %min = arith.constant -9223372036854775808 : i64
  %one = arith.constant 1.0 : f16
  %e0 = tensor.empty() : tensor<8xi1>
  %e1 = tensor.empty() : tensor<8xf32>
  %e2 = tensor.empty() : tensor<8xi64>
  %e3 = tensor.empty() : tensor<8xf16>
  %r:4 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%x, %n : tensor<8xf32>, tensor<8xi64>) outs(%e0, %e1, %e2, %e3 : tensor<8xi1>, tensor<8xf32>, tensor<8xi64>, tensor<8xf16>) {
  ^bb0(%x_1: f32, %n_1: i64, %o0: i1, %o1: f32, %o2: i64, %o3: f16):
    %lt = arith.cmpf olt, %x_1, %inf : f32
    %uno = arith.cmpf uno, %x_1, %x_1 : f32
    %ne = arith.cmpf ult, %x_1, %ninf : f32
    %any = arith.andi %lt, %uno : i1
    %any2 = arith.ori %any, %ne : i1
    %sel = arith.select %any2, %nan, %x_1 : f32
    %ext = arith.extsi %any2 : i1 to i64
    %fd = arith.floordivsi %n_1, %min : i64
    %sum = arith.addi %ext, %fd : i64
    linalg.yield %any2, %sel, %sum, %one : i1, f32, i64, f16
  } -> tensor<8xi1>, tensor<8xf32>, tensor<8xi64>, tensor<8xf16>
  func.return %r#0, %r#1, %r#2, %r#3 : tensor<8xi1>, tensor<8xf32>, tensor<8xi64>, tensor<8xf16>
}

// -----

// Dense constants: small ones as initializer lists, large ones as a byte
// string read through a union (compilers parse strings far faster).

// CHECK-LABEL: /* @cst0: f32[3] */
// CHECK-NEXT:  static const float cst0[3] __attribute__((aligned(64))) = {
// CHECK-NEXT:    1.0f, -2.5f, 0.1f,
// CHECK-NEXT:  };
// CHECK:       /* @cst1: bf16[2] */
// CHECK-NEXT:  static const uint16_t cst1[2] __attribute__((aligned(64))) = {
// CHECK-NEXT:    0x3fc0, 0xc020,
// CHECK-NEXT:  };
// CHECK:       /* @cst2: i1[1100] */
// CHECK-NEXT:  static const union { unsigned char bytes[1100]; bool values[1100]; } cst2 __attribute__((aligned(64))) = {
// CHECK-NEXT:    "\x01\x01\x01
// CHECK-LABEL: int tfc_entry(void **buffers) {
// CHECK:         k0_copy(cst0, out0);
// CHECK-NEXT:    k1_copy(cst1, out1);
// CHECK-NEXT:    k2_copy(cst2.values, out2);
func.func @main() -> (tensor<3xf32>, tensor<2xbf16>, tensor<1100xi1>) {
  %a = arith.constant dense<[1.0, -2.5, 0.1]> : tensor<3xf32>
  %b = arith.constant dense<[1.5, -2.5]> : tensor<2xbf16>
  %c = arith.constant dense<true> : tensor<1100xi1>
  func.return %a, %b, %c : tensor<3xf32>, tensor<2xbf16>, tensor<1100xi1>
}
