// RUN: tfc-opt %s --split-input-file --verify-diagnostics

func.func @matmul_inner(%a: tensor<4x8xf32>, %b: tensor<9x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, rhs tensor<9x3xf32>}}
  %0 = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<9x3xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @matmul_inner_transposed(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) -> tensor<4x3xf32> {
  // expected-error @+1 {{tfc.matmul: inner dimensions differ: lhs tensor<4x8xf32>, rhs tensor<8x3xf32> (transpose_b=True)}}
  %0 = tfc.matmul %a, %b {transpose_b = true} : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @matmul_batch(%a: tensor<2x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<3x4x6xf32> {
  // expected-error @+1 {{tfc.matmul: batch dimensions are not broadcast-compatible: lhs tensor<2x4x5xf32>, rhs tensor<3x5x6xf32>}}
  %0 = tfc.matmul %a, %b : (tensor<2x4x5xf32>, tensor<3x5x6xf32>) -> tensor<3x4x6xf32>
  func.return %0 : tensor<3x4x6xf32>
}

// -----

func.func @matmul_rank1(%a: tensor<8xf32>, %b: tensor<8x3xf32>) -> tensor<3xf32> {
  // expected-error @+1 {{tfc.matmul: operands must have rank >= 2: lhs tensor<8xf32>, rhs tensor<8x3xf32>}}
  %0 = tfc.matmul %a, %b : (tensor<8xf32>, tensor<8x3xf32>) -> tensor<3xf32>
  func.return %0 : tensor<3xf32>
}

// -----

func.func @matmul_dtypes(%a: tensor<4x8xf32>, %b: tensor<8x3xf16>) -> tensor<4x3xf32> {
  // expected-error @+1 {{tfc.matmul: operand dtypes differ: tensor<4x8xf32>, tensor<8x3xf16>}}
  %0 = tfc.matmul %a, %b : (tensor<4x8xf32>, tensor<8x3xf16>) -> tensor<4x3xf32>
  func.return %0 : tensor<4x3xf32>
}

// -----

func.func @matmul_result(%a: tensor<2x1x4x5xf32>, %b: tensor<3x5x6xf32>) -> tensor<2x4x6xf32> {
  // expected-error @+1 {{tfc.matmul: result type tensor<2x4x6xf32> does not match the inferred type tensor<2x3x4x6xf32>}}
  %0 = tfc.matmul %a, %b : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x4x6xf32>
  func.return %0 : tensor<2x4x6xf32>
}

// -----

func.func @conv_channels(%x: tensor<1x5x5x3xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{tfc.conv2d: input channels differ from the filter's input channels: tensor<1x5x5x3xf32>, tensor<3x3x2x4xf32>}}
  %0 = tfc.conv2d %x, %f : (tensor<1x5x5x3xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  func.return %0 : tensor<1x3x3x4xf32>
}

// -----

func.func @conv_rank(%x: tensor<5x5x3xf32>, %f: tensor<3x3x3x4xf32>) -> tensor<3x3x4xf32> {
  // expected-error @+1 {{tfc.conv2d: the input (NHWC) must have rank 4, got tensor<5x5x3xf32>}}
  %0 = tfc.conv2d %x, %f : (tensor<5x5x3xf32>, tensor<3x3x3x4xf32>) -> tensor<3x3x4xf32>
  func.return %0 : tensor<3x3x4xf32>
}

// -----

func.func @conv_filter_too_large(%x: tensor<1x4x4x1xf32>, %f: tensor<3x3x1x1xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{tfc.conv2d: the filter (3x3, dilations [2, 2]) is larger than the padded input: tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>}}
  %0 = tfc.conv2d %x, %f {dilations = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x1x1x1xf32>
  func.return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @conv_padding(%x: tensor<1x4x4x1xf32>, %f: tensor<3x3x1x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.conv2d: padding must be 'VALID', 'SAME' or 'EXPLICIT', got 'FULL'}}
  %0 = tfc.conv2d %x, %f {padding = "FULL"} : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// -----

func.func @conv_explicit_count(%x: tensor<1x4x4x1xf32>, %f: tensor<3x3x1x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.conv2d: explicit_paddings must be 4 non-negative ints [top, bottom, left, right], got [1, 1]}}
  %0 = tfc.conv2d %x, %f {padding = "EXPLICIT", explicit_paddings = array<i64: 1, 1>} : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// -----

func.func @conv_strides(%x: tensor<1x4x4x1xf32>, %f: tensor<3x3x1x1xf32>) -> tensor<1x2x2x1xf32> {
  // expected-error @+1 {{tfc.conv2d: strides must be two positive ints, got [0, 1]}}
  %0 = tfc.conv2d %x, %f {strides = array<i64: 0, 1>} : (tensor<1x4x4x1xf32>, tensor<3x3x1x1xf32>) -> tensor<1x2x2x1xf32>
  func.return %0 : tensor<1x2x2x1xf32>
}

// -----

func.func @conv_result(%x: tensor<1x7x7x2xf32>, %f: tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32> {
  // expected-error @+1 {{tfc.conv2d: result type tensor<1x3x3x4xf32> does not match the inferred type tensor<1x4x4x4xf32>}}
  %0 = tfc.conv2d %x, %f {strides = array<i64: 2, 2>, padding = "SAME"} : (tensor<1x7x7x2xf32>, tensor<3x3x2x4xf32>) -> tensor<1x3x3x4xf32>
  func.return %0 : tensor<1x3x3x4xf32>
}

// -----

func.func @backprop_input_grad_shape(%f: tensor<3x3x1x1xf32>, %g: tensor<1x4x4x1xf32>) -> tensor<1x5x5x1xf32> {
  // expected-error @+1 {{tfc.conv2d_backprop_input: the output gradient must have shape [1, 3, 3, 1] for input_sizes [1, 5, 5, 1]: tensor<3x3x1x1xf32>, tensor<1x4x4x1xf32>}}
  %0 = tfc.conv2d_backprop_input %f, %g {input_sizes = array<i64: 1, 5, 5, 1>} : (tensor<3x3x1x1xf32>, tensor<1x4x4x1xf32>) -> tensor<1x5x5x1xf32>
  func.return %0 : tensor<1x5x5x1xf32>
}

// -----

func.func @backprop_input_missing_sizes(%f: tensor<3x3x1x1xf32>, %g: tensor<1x3x3x1xf32>) -> tensor<1x5x5x1xf32> {
  // expected-error @+1 {{tfc.conv2d_backprop_input: missing attribute 'input_sizes'}}
  %0 = tfc.conv2d_backprop_input %f, %g : (tensor<3x3x1x1xf32>, tensor<1x3x3x1xf32>) -> tensor<1x5x5x1xf32>
  func.return %0 : tensor<1x5x5x1xf32>
}

// -----

func.func @backprop_filter_sizes(%x: tensor<1x5x5x1xf32>, %g: tensor<1x3x3x1xf32>) -> tensor<3x3x1xf32> {
  // expected-error @+1 {{tfc.conv2d_backprop_filter: filter_sizes must be 4 positive ints (HWIO), got [3, 3, 1]}}
  %0 = tfc.conv2d_backprop_filter %x, %g {filter_sizes = array<i64: 3, 3, 1>} : (tensor<1x5x5x1xf32>, tensor<1x3x3x1xf32>) -> tensor<3x3x1xf32>
  func.return %0 : tensor<3x3x1xf32>
}

// -----

func.func @pool_window_too_large(%x: tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32> {
  // expected-error @+1 {{tfc.max_pool2d: the window (3x3) is larger than the padded input: tensor<1x2x2x1xf32>}}
  %0 = tfc.max_pool2d %x {ksize = array<i64: 3, 3>} : (tensor<1x2x2x1xf32>) -> tensor<1x1x1x1xf32>
  func.return %0 : tensor<1x1x1x1xf32>
}

// -----

func.func @pool_explicit(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.avg_pool2d: padding must be 'VALID' or 'SAME', got 'EXPLICIT'}}
  %0 = tfc.avg_pool2d %x {ksize = array<i64: 1, 1>, padding = "EXPLICIT"} : (tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// -----

func.func @avg_pool_int(%x: tensor<1x4x4x1xi32>) -> tensor<1x2x2x1xi32> {
  // expected-error @+1 {{tfc.avg_pool2d: expects a float dtype, got tensor<1x4x4x1xi32>}}
  %0 = tfc.avg_pool2d %x {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x1xi32>) -> tensor<1x2x2x1xi32>
  func.return %0 : tensor<1x2x2x1xi32>
}

// -----

func.func @pool_missing_ksize(%x: tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.max_pool2d: missing attribute 'ksize'}}
  %0 = tfc.max_pool2d %x : (tensor<1x4x4x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// -----

func.func @max_pool_grad_shapes(%x: tensor<1x4x4x1xf32>, %y: tensor<1x2x2x1xf32>, %g: tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.max_pool2d_grad: the pooled output and its gradient must have shape [1, 2, 2, 1]: tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>, tensor<1x3x3x1xf32>}}
  %0 = tfc.max_pool2d_grad %x, %y, %g {ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<1x2x2x1xf32>, tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}

// -----

func.func @avg_pool_grad_shape(%g: tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32> {
  // expected-error @+1 {{tfc.avg_pool2d_grad: the gradient must have shape [1, 2, 2, 1] for orig_input_shape [1, 4, 4, 1]: tensor<1x3x3x1xf32>}}
  %0 = tfc.avg_pool2d_grad %g {orig_input_shape = array<i64: 1, 4, 4, 1>, ksize = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x3x1xf32>) -> tensor<1x4x4x1xf32>
  func.return %0 : tensor<1x4x4x1xf32>
}
