export { type VegaAsset, vegaAssets } from './vega-assets.ts';
