/** The product's defaults for a new collection: the three offline embedders, equally weighted. */
export const DEFAULT_MODELS = 'mobilenetv2-int8,mnv4s-int8,mobilenet-v1-025';
export const DEFAULT_INDEX = 'flat';
