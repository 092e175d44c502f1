// RUN: tfc-opt %s --split-input-file --verify-diagnostics

func.func @reshape_size(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{tfc.reshape: cannot reshape tensor<2x3xf32> (6 elements) to shape [4, 2] (8 elements)}}
  %0 = tfc.reshape %x {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  func.return %0 : tensor<4x2xf32>
}

// -----

func.func @reshape_result(%x: tensor<6xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{tfc.reshape: result type tensor<3x2xf32> does not match the inferred type tensor<2x3xf32>}}
  %0 = tfc.reshape %x {shape = array<i64: 2, 3>} : (tensor<6xf32>) -> tensor<3x2xf32>
  func.return %0 : tensor<3x2xf32>
}

// -----

func.func @reshape_missing_shape(%x: tensor<6xf32>) -> tensor<6xf32> {
  // expected-error @+1 {{tfc.reshape: missing attribute 'shape'}}
  %0 = tfc.reshape %x : (tensor<6xf32>) -> tensor<6xf32>
  func.return %0 : tensor<6xf32>
}

// -----

func.func @broadcast(%x: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{tfc.broadcast_to: cannot broadcast tensor<2x3xf32> to shape [3, 3]}}
  %0 = tfc.broadcast_to %x {shape = array<i64: 3, 3>} : (tensor<2x3xf32>) -> tensor<3x3xf32>
  func.return %0 : tensor<3x3xf32>
}

// -----

func.func @transpose_perm(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
  // expected-error @+1 {{tfc.transpose: perm [0, 0] is not a permutation of the axes of tensor<2x3xf32>}}
  %0 = tfc.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  func.return %0 : tensor<2x2xf32>
}

// -----

func.func @expand_dims_axis(%x: tensor<2x3xf32>) -> tensor<2x3x1xf32> {
  // expected-error @+1 {{tfc.expand_dims: axis 3 is out of range for tensor<2x3xf32>}}
  %0 = tfc.expand_dims %x {axis = 3 : i64} : (tensor<2x3xf32>) -> tensor<2x3x1xf32>
  func.return %0 : tensor<2x3x1xf32>
}

// -----

func.func @squeeze_not_one(%x: tensor<2x1xf32>) -> tensor<1xf32> {
  // expected-error @+1 {{tfc.squeeze: cannot squeeze axis 0 of size 2 in tensor<2x1xf32>}}
  %0 = tfc.squeeze %x {axis = array<i64: 0>} : (tensor<2x1xf32>) -> tensor<1xf32>
  func.return %0 : tensor<1xf32>
}

// -----

func.func @concat_shapes(%x: tensor<2x3xf32>, %y: tensor<4x3xf32>) -> tensor<2x6xf32> {
  // expected-error @+1 {{tfc.concat: operand shapes differ outside axis 1: tensor<2x3xf32>, tensor<4x3xf32>}}
  %0 = tfc.concat %x, %y {axis = 1 : i64} : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x6xf32>
  func.return %0 : tensor<2x6xf32>
}

// -----

func.func @concat_dtypes(%x: tensor<2xf32>, %y: tensor<2xi32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.concat: operand dtypes differ: tensor<2xf32>, tensor<2xi32>}}
  %0 = tfc.concat %x, %y {axis = 0 : i64} : (tensor<2xf32>, tensor<2xi32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @concat_axis(%x: tensor<2xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.concat: axis 1 is out of range for tensor<2xf32>, tensor<2xf32>}}
  %0 = tfc.concat %x, %x {axis = 1 : i64} : (tensor<2xf32>, tensor<2xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @slice_bounds(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{tfc.slice: dim 1 of tensor<2x3xf32> is read out of bounds (begin 1, end 4, stride 1)}}
  %0 = tfc.slice %x {begin = array<i64: 0, 1>, end = array<i64: 2, 4>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return %0 : tensor<2x3xf32>
}

// -----

func.func @slice_negative_stride_bounds(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.slice: dim 0 of tensor<4xf32> is read out of bounds (begin 4, end 0, stride -1)}}
  %0 = tfc.slice %x {begin = array<i64: 4>, end = array<i64: 0>, strides = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @slice_zero_stride(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{tfc.slice: strides must be non-zero, got [0]}}
  %0 = tfc.slice %x {begin = array<i64: 0>, end = array<i64: 4>, strides = array<i64: 0>} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %0 : tensor<4xf32>
}

// -----

func.func @slice_rank(%x: tensor<2x3xf32>) -> tensor<1x3xf32> {
  // expected-error @+1 {{tfc.slice: begin [0], end [1] need one value per dim of tensor<2x3xf32>}}
  %0 = tfc.slice %x {begin = array<i64: 0>, end = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  func.return %0 : tensor<1x3xf32>
}

// -----

func.func @pad_paddings(%x: tensor<2x3xf32>) -> tensor<4x2xf32> {
  // expected-error @+1 {{tfc.pad: paddings must be 4 values >= 0 (lo, hi per dim) for tensor<2x3xf32>, got [1, 1, -1, 0]}}
  %0 = tfc.pad %x {paddings = array<i64: 1, 1, -1, 0>} : (tensor<2x3xf32>) -> tensor<4x2xf32>
  func.return %0 : tensor<4x2xf32>
}

// -----

func.func @gather_float_indices(%p: tensor<10x8xf32>, %i: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.gather: indices must be i32 or i64, got tensor<4xf32>}}
  %0 = tfc.gather %p, %i : (tensor<10x8xf32>, tensor<4xf32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @gather_axis(%p: tensor<10x8xf32>, %i: tensor<4xi32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{tfc.gather: axis 2 is out of range for params tensor<10x8xf32>, indices tensor<4xi32> with batch_dims 0}}
  %0 = tfc.gather %p, %i {axis = 2 : i64} : (tensor<10x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  func.return %0 : tensor<4x8xf32>
}

// -----

func.func @gather_batch(%p: tensor<3x10xf32>, %i: tensor<4x2xi32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{tfc.gather: the first 1 (batch) dims of params and indices differ: params tensor<3x10xf32>, indices tensor<4x2xi32>}}
  %0 = tfc.gather %p, %i {axis = 1 : i64, batch_dims = 1 : i64} : (tensor<3x10xf32>, tensor<4x2xi32>) -> tensor<3x2xf32>
  func.return %0 : tensor<3x2xf32>
}

// -----

func.func @gather_grad_dims(%g: tensor<5x8xf32>, %i: tensor<4xi32>) -> tensor<10x8xf32> {
  // expected-error @+1 {{tfc.gather_grad: grad's dims do not match the indices: grad tensor<5x8xf32>, indices tensor<4xi32>}}
  %0 = tfc.gather_grad %g, %i {dim = 10 : i64} : (tensor<5x8xf32>, tensor<4xi32>) -> tensor<10x8xf32>
  func.return %0 : tensor<10x8xf32>
}

// -----

func.func @one_hot_float_indices(%i: tensor<4xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{tfc.one_hot: indices must be i32 or i64, got tensor<4xf32>}}
  %0 = tfc.one_hot %i {depth = 3 : i64} : (tensor<4xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @one_hot_dtype(%i: tensor<4xi32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{tfc.one_hot: result type tensor<4x3xf32> does not match the inferred type tensor<4x3xi32>}}
  %0 = tfc.one_hot %i {depth = 3 : i64, dtype = i32} : (tensor<4xi32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @iota_size() -> tensor<0xf32> {
  // expected-error @+1 {{tfc.iota: size must be >= 0, got -1}}
  %0 = tfc.iota {size = -1 : i64} : () -> tensor<0xf32>
  func.return %0 : tensor<0xf32>
}

// -----

func.func @iota_operand(%x: tensor<3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{tfc.iota: expects 0 operand(s), got 1}}
  %0 = tfc.iota %x {size = 3 : i64} : (tensor<3xf32>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @fill_result() -> tensor<2x2xf32> {
  // expected-error @+1 {{tfc.fill: result type tensor<2x2xf32> does not match the inferred type tensor<2x3xf32>}}
  %0 = tfc.fill {shape = array<i64: 2, 3>} : () -> tensor<2x2xf32>
  func.return %0 : tensor<2x2xf32>
}
